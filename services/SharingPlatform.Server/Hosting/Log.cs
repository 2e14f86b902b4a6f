namespace SharingPlatform.Server.Hosting;

/// <summary>
/// Every message the server logs, in one place so that a review can see none carries a name, an
/// identifier, a token or case content: only client ids, tenant slugs, counts, paths and trace ids.
/// </summary>
public static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "First start: created client {ClientId}; its private key and connection file are in {Directory}. Move them somewhere safe.")]
    public static partial void BootstrapClientCreated(ILogger logger, string clientId, string directory);

    [LoggerMessage(2, LogLevel.Information, "Demo tenant {Tenant}: {Count} synthetic records; client {ClientId} key in {Directory}")]
    public static partial void DemoTenantSeeded(ILogger logger, string tenant, int count, string clientId, string directory);

    [LoggerMessage(3, LogLevel.Information, "Identity (token endpoint, discovery, JWKS; HTTP/1.1): {Issuer}")]
    public static partial void IdentityListening(ILogger logger, Uri issuer);

    [LoggerMessage(4, LogLevel.Information, "gRPC API (HTTP/2): {GrpcUrl}")]
    public static partial void GrpcListening(ILogger logger, string grpcUrl);

    [LoggerMessage(5, LogLevel.Error, "Unhandled {ExceptionType} in {Method}; trace id {TraceId}\n{StackTrace}")]
    public static partial void UnhandledException(ILogger logger, string? exceptionType, string method, string traceId, string? stackTrace);

    [LoggerMessage(6, LogLevel.Warning, "{Count} database file(s) at {Path} were readable beyond the server's user; they are owner-only now.")]
    public static partial void DatabaseFilesRestricted(ILogger logger, int count, string path);

    [LoggerMessage(7, LogLevel.Error, "Could not record {Count} counted refusals ({ExceptionType}); they are lost")]
    public static partial void RefusalsNotRecorded(ILogger logger, long count, string? exceptionType);

    [LoggerMessage(8, LogLevel.Warning, "The change listener lost its database connection ({ExceptionType}); following pulls wait for their heartbeat until it is back. Next try in {Seconds} s")]
    public static partial void ChangeListenerLost(ILogger logger, string? exceptionType, double seconds);

    [LoggerMessage(9, LogLevel.Information, "The change listener is connected again")]
    public static partial void ChangeListenerRestored(ILogger logger);

    [LoggerMessage(10, LogLevel.Warning, "Could not read the committed change sequence ({ExceptionType}); following pulls wait for their heartbeat until it works again")]
    public static partial void CommittedSequenceWatchFailed(ILogger logger, string? exceptionType);

    [LoggerMessage(12, LogLevel.Warning, "The database was busy for {Method} ({ExceptionType}); the caller was told UNAVAILABLE, to retry; trace id {TraceId}")]
    public static partial void StorageBusy(ILogger logger, string? exceptionType, string method, string traceId);

    [LoggerMessage(13, LogLevel.Critical, "AUDIT IS OFF (Audit:Disabled, environment {Environment}): no access is recorded. For the benchmark only; never let partners use this server.")]
    public static partial void AuditDisabled(ILogger logger, string environment);

    [LoggerMessage(14, LogLevel.Warning, "Could not purge expired push receipts and client assertions ({ExceptionType}); trying again in ten minutes")]
    public static partial void HousekeepingFailed(ILogger logger, string? exceptionType);

    [LoggerMessage(11, LogLevel.Warning, "Upgrade: filled in the sharing facts of {Count} stored records from their content.")]
    public static partial void CaseFactsFilled(ILogger logger, long count);

    [LoggerMessage(15, LogLevel.Warning, "Removed the migration lock that a process stopped while starting left in {Path}; the database is checked and migrated now.")]
    public static partial void StaleMigrationLockRemoved(ILogger logger, string path);

    [LoggerMessage(16, LogLevel.Information, "Waiting for another process that is starting on the same database ({Path})")]
    public static partial void WaitingForStartLock(ILogger logger, string path);

    [LoggerMessage(17, LogLevel.Critical, "The server did not start: {Reason}")]
    public static partial void StartRefused(ILogger logger, string reason);

    [LoggerMessage(18, LogLevel.Critical, "THE AUDIT CHAIN CANNOT TAKE EVENTS: {Problem}. Every call is refused (UNAVAILABLE, AUDIT_UNAVAILABLE) and /healthz reports it, except VerifyAuditChain for auditors. See README, 'When the audit chain is damaged'.")]
    public static partial void AuditChainFault(ILogger logger, string problem);

    [LoggerMessage(19, LogLevel.Warning, "Could not check the end of the audit chain after a refused append ({ExceptionType}); the next refused append checks again")]
    public static partial void AuditHeadNotChecked(ILogger logger, string? exceptionType);

    [LoggerMessage(20, LogLevel.Warning, "Audit chain damaged: {Action} by {ClientId} was served without an audit event, for the diagnosis")]
    public static partial void ServedUnrecorded(ILogger logger, string action, string clientId);

    [LoggerMessage(21, LogLevel.Critical, "THE DATABASE IS DAMAGED: {Problem}. /healthz reports it. Stop the server and restore the database from its backup (see README, Backups).")]
    public static partial void DatabaseDamaged(ILogger logger, string problem);

    [LoggerMessage(22, LogLevel.Critical, "THE STORAGE IS FULL: writes are refused (UNAVAILABLE, STORAGE_FULL) and /healthz reports storage-full until a write commits again. Free space on the database's volume; nothing acknowledged is lost.")]
    public static partial void StorageFull(ILogger logger);

    [LoggerMessage(23, LogLevel.Warning, "The storage takes writes again.")]
    public static partial void StorageWritableAgain(ILogger logger);

    [LoggerMessage(24, LogLevel.Warning, "The database's sanity check could not run ({ExceptionType}); the next health probe tries again")]
    public static partial void IntegrityCheckFailed(ILogger logger, string? exceptionType);

    [LoggerMessage(25, LogLevel.Warning, "Announced the staged audit key {Thumbprint} in the chain, with a checkpoint signed by the current key. Run `keys activate audit`, then restart every replica.")]
    public static partial void AuditKeyAnnounced(ILogger logger, string thumbprint);
}
