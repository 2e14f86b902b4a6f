extern alias sdk;

using Google.Protobuf;
using SharingPlatform.Server.Identity;
using AuditKeyTrust = sdk::SharingPlatform.Client.Audit.AuditKeyTrust;

namespace SharingPlatform.Server.Audit;

/// <summary>
/// At start, the current audit key announces a staged one (<see cref="AuditSigningKeys"/>): an
/// <c>audit.key_announced</c> event naming the staged key's thumbprint is appended, and a checkpoint covering it, signed
/// by the current key, is kept beside the keys. Replicas starting together may each append an event (any of them
/// announces the same key) but the first checkpoint written is kept. A start cut between the two announces again.
/// </summary>
public static class AuditKeyAnnouncement
{
    /// <summary>Announces the staged audit key unless its announcement is kept already; returns its thumbprint if it announced now.</summary>
    public static async Task<string?> AnnounceStagedAsync(KeyRing ring, AuditChain chain, AuditLog log, CancellationToken cancellationToken)
    {
        if (ring.Keys.AuditStagedThumbprint is not { } thumbprint || File.Exists(Path.Combine(ring.Directory, AuditSigningKeys.AnnouncementFile(thumbprint))))
        {
            return null;
        }

        await chain.AppendAloneAsync(new AuditEntry("system", "-", AuditKeyTrust.AnnouncedAction, [AuditKeyTrust.AnnouncedResource(thumbprint)], "", "OK", ""), cancellationToken);
        var covering = await log.CheckpointAsync(cancellationToken); // after the commit above, so its size includes the event
        ServerKeys.TryWriteNew(Path.Combine(ring.Directory, AuditSigningKeys.AnnouncementFile(thumbprint)), JsonFormatter.Default.Format(covering));
        return thumbprint;
    }
}
