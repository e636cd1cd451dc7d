using Microsoft.AspNetCore.Identity;
using Routines.Ui.Hosting;

namespace Routines.Ui.Security;

/// <summary>
/// Console passwords as ASP.NET Core Identity hashes them (PBKDF2 with HMAC-SHA512, 100,000 iterations, a random salt):
/// configuration holds only the hash.
/// </summary>
internal static class PasswordHashes
{
    static readonly PasswordHasher<UiUser> Hasher = new();

    // Verified for an unknown user name too, so the answer takes as long whether the name exists or not.
    static readonly string Decoy = Hash(Guid.NewGuid().ToString());

    public static string Hash(string password) => Hasher.HashPassword(null!, password);

    public static bool Verify(string? hash, string password)
        => Hasher.VerifyHashedPassword(null!, hash ?? Decoy, password) != PasswordVerificationResult.Failed && hash is not null;

    /// <summary>Whether the text is a hash this console can check (the version 3 format, as <see cref="Hash"/> makes).</summary>
    public static bool IsWellFormed(string hash)
    {
        var bytes = new byte[hash.Length];
        return Convert.TryFromBase64String(hash, bytes, out var length) && length >= 61 && bytes[0] == 0x01;
    }
}
