using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Routines.Tests.Shared;

/// <summary>
/// A throwaway certificate authority in a temporary folder, and PEM certificates it issues (or that another authority
/// issues, or that have expired), as a test cluster's TLS settings name them.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("routines-tls-").FullName;
    readonly X509Certificate2 _authority;

    public TestCertificates()
    {
        _authority = Authority("Routines test CA");
        CaPath = Write("ca.crt", _authority.ExportCertificatePem());
        Stranger = Authority("Some other CA");
    }

    /// <summary>The PEM file of the cluster's authority.</summary>
    public string CaPath { get; }

    /// <summary>An authority the cluster does not trust.</summary>
    X509Certificate2 Stranger { get; }

    /// <summary>A certificate the cluster's authority issued, valid now: (certificate path, key path).</summary>
    public (string Certificate, string Key) Trusted(string name) => Issue(name, _authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

    /// <summary>A certificate the cluster's authority issued, which expired yesterday.</summary>
    public (string Certificate, string Key) Expired(string name) => Issue(name, _authority, DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));

    /// <summary>A valid certificate from an authority the cluster does not trust.</summary>
    public (string Certificate, string Key) Untrusted(string name) => Issue(name, Stranger, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

    /// <summary>The environment that gives a process the certificate (and the cluster's authority).</summary>
    public Dictionary<string, string> Settings((string Certificate, string Key) certificate) => new()
    {
        ["Routines__Cluster__Tls__CertificatePath"] = certificate.Certificate,
        ["Routines__Cluster__Tls__KeyPath"] = certificate.Key,
        ["Routines__Cluster__Tls__CaPath"] = CaPath,
    };

    static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddDays(365));
    }

    (string Certificate, string Key) Issue(string name, X509Certificate2 issuer, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server and client authentication
        var serial = RandomNumberGenerator.GetBytes(16);
        using var certificate = request.Create(issuer, notBefore, notAfter, serial);
        var file = $"{name}-{Convert.ToHexStringLower(serial[..4])}";
        return (Write(file + ".crt", certificate.ExportCertificatePem()), Write(file + ".key", key.ExportPkcs8PrivateKeyPem()));
    }

    string Write(string name, string pem)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, pem);
        return path;
    }

    public void Dispose()
    {
        _authority.Dispose();
        Stranger.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
