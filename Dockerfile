# syntax=docker/dockerfile:1
# Build: the .NET SDK restores and publishes the web app. Node.js/npm are needed by the build, which
# installs the browser SignalR client (src/LiveHub/package-lock.json) into wwwroot/lib.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /source
COPY global.json Directory.Build.props Directory.Packages.props LiveHub.sln ./
COPY src/ src/
RUN dotnet publish src/LiveHub/LiveHub.csproj -c Release -o /app --nologo

# Run: the ASP.NET Core runtime, the published app, the web front end and the seed data.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
COPY wwwroot/ ./wwwroot/
# The browser libraries the build installed from npm (git-ignored, so not in the repository's wwwroot).
COPY --from=build /source/wwwroot/lib/ ./wwwroot/lib/
COPY seeds/ ./seeds/
ENV ASPNETCORE_URLS=http://+:8080 \
    Database__DataDirectory=/data
RUN mkdir -p /data && chown -R app:app /data
USER app
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD curl --fail --silent http://127.0.0.1:8080/healthz/ready || exit 1
ENTRYPOINT ["dotnet", "LiveHub.dll"]
