using System.Globalization;
using SharingPlatform.Server.Hosting;

namespace SharingPlatform.Server.Identity;

/// <summary>
/// <c>SharingPlatform.Server keys list|stage|activate|prune [audit] [--Platform:DataDirectory=...]</c>: rotates the
/// token-signing key (<see cref="TokenSigningKeys"/>) or, with <c>audit</c>, the audit key (<see cref="AuditSigningKeys"/>) in the key directory the server with the same configuration would use. It works
/// on the files alone (no database, no listener), on the machine that holds them, and prints key ids and times, never
/// key material. Replicas load keys at start, so each step takes effect as each replica restarts.
/// </summary>
public static class KeysCommand
{
    public const int Ok = 0;
    public const int Refused = 1;
    public const int Usage = 2;

    private const string Help = """
        Usage: SharingPlatform.Server keys <list|stage|activate|prune> [audit] [--Platform:DataDirectory=DIR] [--Identity:KeyDirectory=DIR]
          list            the keys: token-signing current, staged, retired (with when each may be pruned); audit current and staged
          stage           make a new token-signing key, published and accepted but not yet signing; then restart every replica
          activate        sign tokens with the staged key from each replica's next restart; the old key stays accepted until its tokens expire
          prune           delete retired token-signing keys whose tokens have all expired (Identity:AccessTokenLifetime after retirement)
          stage audit     make a new audit key; the next replica start announces it in the chain, signed by the current key
          activate audit  sign checkpoints with the announced audit key from each replica's next restart
        """;

    /// <summary>Whether the first word (an argument that is not a <c>--key=value</c> setting) is <c>keys</c>; settings may
    /// come before it, as <c>dotnet run</c> puts the project's data directory first.</summary>
    public static bool Matches(string[] args) => Words(args) is ["keys", ..];

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var words = Words(args);
        var audit = words is [_, _, "audit"];
        if (words is not ["keys", var verb, ..] || words.Length > 3 || verb is not ("list" or "stage" or "activate" or "prune")
            || (words.Length == 3 && !audit) || (audit && verb is not ("stage" or "activate")))
        {
            error.WriteLine(Help);
            return Usage;
        }

        // The server's own configuration, read as the server reads it (appsettings.json beside it, then the settings given).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = [.. args.Where(a => a.StartsWith("--", StringComparison.Ordinal))],
            ContentRootPath = AppContext.BaseDirectory,
        });
        var directory = IdentityExtensions.KeyDirectoryOf(builder);
        var lifetime = builder.Configuration.GetSection(IdentityServerOptions.Section).Get<IdentityServerOptions>()?.AccessTokenLifetime
            ?? new IdentityServerOptions().AccessTokenLifetime;
        try
        {
            switch (audit ? verb + " audit" : verb)
            {
                case "stage audit":
                    output.WriteLine($"Staged audit key {AuditSigningKeys.Stage(directory).Kid} in {directory}.");
                    output.WriteLine("Next: restart a replica (its start announces the key in the chain, signed by the current key), then run `keys activate audit`.");
                    break;
                case "activate audit":
                    output.WriteLine($"Audit key {AuditSigningKeys.Activate(directory).Kid} is current.");
                    output.WriteLine("Next: restart every replica (each then signs checkpoints with it, carrying its announcement).");
                    break;
                case "stage":
                    var staged = TokenSigningKeys.Stage(directory);
                    output.WriteLine($"Staged token-signing key {staged.Kid} in {directory}.");
                    output.WriteLine("Next: restart every replica (each then publishes and accepts it), then run `keys activate`.");
                    break;
                case "activate":
                    var (current, retired) = TokenSigningKeys.Activate(directory, DateTime.UtcNow);
                    output.WriteLine($"Token-signing key {current.Kid} is current; {retired.Kid} is retired (accepted until {Time(retired.Retired + lifetime)}).");
                    output.WriteLine("Next: restart every replica now (each then signs with the new key); after the last restart and one access token lifetime, run `keys prune`.");
                    break;
                case "prune":
                    var (deleted, kept) = TokenSigningKeys.Prune(directory, DateTime.UtcNow, lifetime);
                    foreach (var entry in deleted)
                    {
                        output.WriteLine($"Deleted retired key {entry.Kid} (retired {Time(entry.Retired)}).");
                    }

                    foreach (var entry in kept)
                    {
                        output.WriteLine($"Kept retired key {entry.Kid}: tokens it signed may be valid until {Time(entry.Retired + lifetime)}.");
                    }

                    output.WriteLine(deleted.Count > 0 ? "Next: restart every replica (each then stops accepting the deleted keys)." : "Nothing to prune.");
                    break;
            }

            var entries = TokenSigningKeys.List(directory).Concat(AuditSigningKeys.List(directory)).ToList();
            if (entries.Count == 0)
            {
                error.WriteLine($"No keys in {directory}: this is not the key directory of a platform (pass its --Platform:DataDirectory or --Identity:KeyDirectory).");
                return Refused;
            }

            output.WriteLine($"Keys in {directory}:");
            foreach (var entry in entries)
            {
                output.WriteLine(entry.Retired is { } at
                    ? $"{entry.Role,-8} {entry.Kid}  retired {Time(at)}, prunable from {Time(at + lifetime)}"
                    : $"{entry.Role,-8} {entry.Kid}");
            }

            return Ok;
        }
        catch (Exception refused) when (refused is KeyCommandException or StartRefusedException)
        {
            error.WriteLine(refused.Message);
            return Refused;
        }
    }

    private static string Time(DateTime? time) => time?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static string[] Words(string[] args) => [.. args.Where(a => !a.StartsWith("--", StringComparison.Ordinal))];
}
