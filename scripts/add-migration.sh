#!/usr/bin/env bash
# Adds one EF Core migration for both providers (SQLite and PostgreSQL) from the current model:
#   bash scripts/add-migration.sh AddVenues
# Each provider has its own context subclass, migrations folder and model snapshot under src/LiveHub/Data/Migrations.
# Nothing connects to a database. Uses the dotnet-ef version pinned in .config/dotnet-tools.json.
set -euo pipefail

if [[ $# -ne 1 || ! "$1" =~ ^[A-Z][A-Za-z0-9]*$ ]]; then
  echo "usage: bash scripts/add-migration.sh MigrationName   (PascalCase, letters and digits)" >&2
  exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null
dotnet build src/LiveHub -c Debug -v q -nologo >/dev/null

for provider in Sqlite Postgres; do
  dotnet tool run dotnet-ef migrations add "$1" --no-build \
    --project src/LiveHub --context "${provider}LiveHubDbContext" \
    --output-dir "Data/Migrations/$provider"
done
echo "Added $1 for SQLite and PostgreSQL. Review both, then run the Data tests (MigrationsMatchModelTests)."
