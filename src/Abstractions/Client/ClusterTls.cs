using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Routines.Client;

/// <summary>Loads a process's certificate and its cluster's authority, and decides which peers are trusted.</summary>
internal sealed class ClusterTls
{
    readonly X509Certificate2Collection _authorities = new();

    ClusterTls(X509Certificate2 certificate, X509Certificate2Collection authorities)
    {
        Certificate = certificate;
        _authorities = authorities;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>The files <paramref name="options"/> names, read; a bad file throws with a message naming it.</summary>
    public static ClusterTls Load(RoutinesTlsOptions options)
    {
        var path = options.CertificatePath!;
        try
        {
            var certificate = Path.GetExtension(path).ToLowerInvariant() is ".pfx" or ".p12"
                ? X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword)
                : X509Certificate2.CreateFromPemFile(path, options.KeyPath);
            if (!certificate.HasPrivateKey) throw new CryptographicException("it has no private key");
            var authorities = new X509Certificate2Collection();
            authorities.ImportFromPemFile(options.CaPath!);
            if (authorities.Count == 0) throw new CryptographicException($"{options.CaPath} holds no certificate");
            return new ClusterTls(certificate, authorities);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException)
        {
            throw new InvalidOperationException($"Cannot use the TLS certificate {path}: {exception.Message}", exception);
        }
    }

    /// <summary>TLS on every connection; both ends present a certificate, and only the cluster's authority's are accepted.</summary>
    public void Configure(TlsOptions tls)
    {
        tls.LocalCertificate = Certificate;
        tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        tls.RemoteCertificateValidation = (certificate, _, _) => IsTrusted(certificate);
    }

    /// <summary>
    /// Issued by the cluster's authority and valid now. The name is not checked: silos are reached by pod addresses
    /// that no certificate names, and holding the authority's certificate is what admits a process.
    /// </summary>
    bool IsTrusted(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
