namespace Routines.Client;

/// <summary>
/// TLS on the cluster's connections (silo to silo, client to gateway), authenticated at both ends: each process
/// presents its certificate and accepts only peers whose certificate the cluster's certificate authority issued and
/// that is valid now. Bound from <c>Routines:Cluster:Tls</c>.
/// </summary>
public sealed class RoutinesTlsOptions
{
    /// <summary>This process's certificate: a PEM file (with <see cref="KeyPath"/>) or a PKCS#12 (.pfx/.p12) file.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="CertificatePath"/>.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The password of a PKCS#12 certificate, if it has one.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>PEM file of the certificate authority (or several) that issues the cluster's certificates.</summary>
    public string? CaPath { get; set; }

    /// <summary>True when a certificate is configured: every connection then speaks TLS.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);

    /// <summary>A clear sentence for the first invalid setting, or null.</summary>
    internal string? Validate(string section)
    {
        if (!Enabled)
        {
            return string.IsNullOrWhiteSpace(CaPath) && string.IsNullOrWhiteSpace(KeyPath)
                ? null
                : $"{section}:Tls:CertificatePath is required when {section}:Tls:CaPath or KeyPath is set.";
        }

        if (string.IsNullOrWhiteSpace(CaPath)) return $"{section}:Tls:CaPath is required with a certificate: it says which peers to trust.";
        foreach (var (key, path) in new[] { ("CertificatePath", CertificatePath), ("KeyPath", KeyPath), ("CaPath", CaPath) })
        {
            if (path is { Length: > 0 } && !File.Exists(path)) return $"{section}:Tls:{key} names a file that does not exist: {Path.GetFullPath(path)}.";
        }

        try
        {
            ClusterTls.Load(this);
            return null;
        }
        catch (InvalidOperationException exception)
        {
            return $"{section}:Tls: {exception.Message}";
        }
    }
}
