extern alias sdk;

using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Server.Identity;
using AuditHashing = sdk::SharingPlatform.Client.Audit.AuditHashing;

namespace SharingPlatform.Server.Audit;

/// <summary>Signs checkpoints with the audit key and publishes its public half.</summary>
public sealed class AuditSigner(ServerKeys keys)
{
    public byte[] Sign(long size, byte[] headHash, DateTime time) =>
        keys.AuditSigning.ECDsa.SignData(AuditHashing.CheckpointBytes(size, headHash, time), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>The public key as a JWK: auditors pin it once and check every checkpoint with it.</summary>
    public string PublicJwk()
    {
        var parameters = keys.AuditSigning.ECDsa.ExportParameters(includePrivateParameters: false);
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(parameters.Q.X),
            ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
            ["kid"] = keys.AuditSigning.KeyId,
            ["use"] = "sig",
            ["alg"] = "ES256",
        });
    }
}
