using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace LiveHub.Data;

/// <summary>Where the Data Protection key ring (cookies, tokens, encrypted settings) is kept and how it is protected at rest.</summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";

    /// <summary>
    /// A PFX certificate with a private key: when set, every key is encrypted with it before it is stored in the
    /// database. All instances need the same certificate.
    /// </summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Certificates that protected keys earlier (after a rotation), used only to read those keys.</summary>
    public List<string> PreviousCertificatePaths { get; set; } = [];
}

public static class KeyRingSetup
{
    /// <summary>
    /// The key ring lives in the hub's database (Microsoft's EF Core key store, table <c>data_protection_keys</c>),
    /// so every instance reads the others' cookies and tokens and keys survive restarts.
    /// </summary>
    public static IServiceCollection AddDatabaseKeyRing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KeyRingOptions>().BindConfiguration(KeyRingOptions.Section)
            .Validate(o => string.IsNullOrEmpty(o.CertificatePath) || File.Exists(o.CertificatePath),
                "DataProtection:CertificatePath names a file that does not exist.")
            .Validate(o => o.PreviousCertificatePaths.All(File.Exists),
                "DataProtection:PreviousCertificatePaths names a file that does not exist.")
            .ValidateOnStart();

        var builder = services.AddDataProtection().SetApplicationName("LiveHub").PersistKeysToDbContext<LiveHubDbContext>();
        var options = configuration.GetSection(KeyRingOptions.Section).Get<KeyRingOptions>() ?? new KeyRingOptions();
        if (!string.IsNullOrEmpty(options.CertificatePath) && File.Exists(options.CertificatePath))
        {
            var current = Load(options.CertificatePath, options.CertificatePassword);
            builder.ProtectKeysWithCertificate(current);
            builder.UnprotectKeysWithAnyCertificate([current, .. options.PreviousCertificatePaths.Select(p => Load(p, options.CertificatePassword))]);
        }

        return services;
    }

    private static X509Certificate2 Load(string path, string? password)
    {
        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new OptionsValidationException(KeyRingOptions.Section, typeof(KeyRingOptions),
                [$"DataProtection:CertificatePath: {path} could not be read as a PFX with that password ({ex.Message})."]);
        }
    }
}
