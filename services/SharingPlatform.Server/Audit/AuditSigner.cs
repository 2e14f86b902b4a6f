extern alias sdk;

using System.Security.Cryptography;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.IdentityModel.Tokens;
using SharingPlatform.Server.Identity;
using SharingPlatform.V1;
using AuditHashing = sdk::SharingPlatform.Client.Audit.AuditHashing;

namespace SharingPlatform.Server.Audit;

/// <summary>Signs checkpoints with the audit key and publishes its public half, with the announcement of that key if it was rotated in.</summary>
public sealed class AuditSigner(ServerKeys keys)
{
    /// <summary>The signed checkpoint of a chain of <paramref name="size"/> events ending in <paramref name="headHash"/> at <paramref name="time"/>.</summary>
    public SignedCheckpoint Sign(long size, byte[] headHash, DateTime time) => new()
    {
        Checkpoint = new Checkpoint { Size = size, HeadHash = ByteString.CopyFrom(headHash), Time = Timestamp.FromDateTime(time) },
        Signature = ByteString.CopyFrom(keys.AuditSigning.ECDsa.SignData(AuditHashing.CheckpointBytes(size, headHash, time), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)),
        PublicJwk = PublicJwk(),
        KeyAnnouncement = keys.AuditAnnouncement,
    };

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
