using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using LiveHub.Data;
using LiveHub.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LiveHub.Tests.Data;

/// <summary>
/// The key ring is kept by Microsoft's EF Core key store in the hub's database: keys written by the earlier
/// hand-written store (same table, same XML) are read by it, and with a certificate configured the keys are
/// encrypted at rest and still read after a restart.
/// </summary>
public abstract class KeyRingTests(LiveHubApp app)
{
    private const string Purpose = "LiveHub.Tests.KeyRing";

    [Fact]
    public async Task A_key_stored_by_the_earlier_store_is_read_by_the_ef_core_store()
    {
        // A key ring made elsewhere for the same application, captured as XML, then stored the way the
        // earlier repository did: one row, friendly name and the element without formatting.
        var captured = new CapturingRepository();
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("LiveHub").AddKeyManagementOptions(o => o.XmlRepository = captured);
        await using var provider = services.BuildServiceProvider();
        var payload = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Protect("written before the switch");
        var element = Assert.Single(captured.Elements);
        await app.WithDbAsync(async db =>
        {
            db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = "key-" + element.Attribute("id")!.Value, Xml = element.ToString(SaveOptions.DisableFormatting) });
            await db.SaveChangesAsync();
        });

        await using var restarted = new SameDatabase(app, new Dictionary<string, string?>());
        await restarted.InitializeAsync();
        var protector = restarted.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose);
        Assert.Equal("written before the switch", protector.Unprotect(payload));
    }

    [Fact]
    public async Task With_a_certificate_keys_are_encrypted_at_rest_and_read_again_after_a_restart()
    {
        var folder = Directory.CreateTempSubdirectory("livehub-keyring").FullName;
        try
        {
            var pfx = Path.Combine(folder, "keyring.pfx");
            using (var rsa = RSA.Create(2048))
            {
                var request = new CertificateRequest("CN=LiveHub key ring (test)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
                await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "pfx password"));
            }

            var settings = new Dictionary<string, string?> { ["DataProtection:CertificatePath"] = pfx, ["DataProtection:CertificatePassword"] = "pfx password" };
            await using var fresh = new FreshDatabase(app.Provider, settings);
            await fresh.InitializeAsync();
            var payload = fresh.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Protect("encrypted at rest");

            var rows = new List<string>();
            await fresh.WithDbAsync(async db => rows.AddRange(await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync()));
            Assert.NotEmpty(rows);
            Assert.All(rows, xml =>
            {
                Assert.Contains("encryptedSecret", xml, StringComparison.Ordinal);
                Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
            });

            await using var restarted = new SameDatabase(fresh, settings);
            await restarted.InitializeAsync();
            Assert.Equal("encrypted at rest", restarted.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Purpose).Unprotect(payload));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class CapturingRepository : IXmlRepository
    {
        public List<XElement> Elements { get; } = [];

        public IReadOnlyCollection<XElement> GetAllElements() => Elements.ToList();

        public void StoreElement(XElement element, string friendlyName) => Elements.Add(element);
    }

    /// <summary>Another start of the app on an existing fixture's database.</summary>
    private sealed class SameDatabase(LiveHubApp first, IReadOnlyDictionary<string, string?> extra) : LiveHubApp
    {
        public override DatabaseProvider Provider => first.Provider;

        protected override bool OwnsDatabase => false;

        protected override IReadOnlyDictionary<string, string?> Settings =>
            new Dictionary<string, string?>(extra) { ["Database:ConnectionString"] = first.ConnectionString };
    }

    private sealed class FreshDatabase(DatabaseProvider provider, IReadOnlyDictionary<string, string?> extra) : LiveHubApp
    {
        public override DatabaseProvider Provider => provider;

        protected override IReadOnlyDictionary<string, string?> Settings => extra;
    }
}

public sealed class KeyRingOnSqlite(SqliteApp app) : KeyRingTests(app), IClassFixture<SqliteApp>;

public sealed class KeyRingOnPostgres(PostgresApp app) : KeyRingTests(app), IClassFixture<PostgresApp>;
