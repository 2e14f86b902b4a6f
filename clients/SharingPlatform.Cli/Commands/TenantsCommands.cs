using System.CommandLine;
using System.Globalization;
using System.Reflection;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using SharingPlatform.Client;
using SharingPlatform.V1;

namespace SharingPlatform.Cli.Commands;

/// <summary><c>sharectl tenants create|list|suspend|reactivate</c>: the operator's partner organisations (platform-admin).</summary>
public static class TenantsCommands
{
    public static Command Create(CliApp.Runner run)
    {
        var tenants = new Command("tenants", "Create, list, suspend and reactivate partner organisations (platform-admin).");

        var createId = new Argument<string>("id") { Description = "The tenant's slug, e.g. rescue-north: 1-63 of a-z, 0-9 and -." };
        var displayName = new Option<string>("--name") { Description = "Human-readable name, e.g. \"North Rescue Network\".", Required = true };
        var kind = new Option<string>("--kind") { Description = "documentation, rescue, advocacy or intergovernmental: decides which consent scopes allow sharing with it.", Required = true };
        var adminKey = new Option<FileInfo>("--admin-key")
        {
            Description = "The public JWK the tenant sent for its first tenant-admin (from its `sharectl keys new --public-out`). The tenant keeps the private key; a private key file is refused.",
            Required = true,
        };
        var adminId = new Option<string>("--admin-client-id") { Description = "The {client} part of that tenant-admin's name.", DefaultValueFactory = _ => "admin" };
        var create = new Command("create", "Create a tenant with its first tenant-admin client (platform-admin).") { createId, displayName, kind, adminKey, adminId };
        run.Action(create, async (context, cancellationToken) =>
        {
            var tenantKind = AdminSupport.ParseEnum<TenantKind>("--kind", context.Value(kind), k => k != TenantKind.Operator);
            var id = AdminSupport.Slug(context.Value(createId));
            var publicJwk = ClientsCommands.PublicJwk(context.Value(adminKey), allowPrivate: false);
            using var connection = await AdminSupport.ConnectAsync(context, cancellationToken);
            var tenant = await connection.Tenants.CreateTenantAsync(
                new CreateTenantRequest
                {
                    TenantId = id, Tenant = new Tenant { DisplayName = context.Value(displayName), Kind = tenantKind },
                    AdminClientId = context.Value(adminId), AdminPublicJwk = publicJwk,
                },
                cancellationToken: cancellationToken);
            Show(context, tenant, "Tenant created");
            return ExitCodes.Ok;
        });
        tenants.Subcommands.Add(create);

        var list = new Command("list", "List every tenant (platform-admin, platform-auditor).");
        run.Action(list, async (context, cancellationToken) =>
        {
            using var connection = await AdminSupport.ConnectAsync(context, cancellationToken);
            var all = new List<Tenant>();
            var request = new ListTenantsRequest { PageSize = 1000 };
            do
            {
                var page = await connection.Tenants.ListTenantsAsync(request, cancellationToken: cancellationToken);
                all.AddRange(page.Tenants);
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);

            context.Output.Rows("Tenants", Columns, all.Select(Row));
            return ExitCodes.Ok;
        });
        tenants.Subcommands.Add(list);

        tenants.Subcommands.Add(StateChange(run, "suspend", "Suspend a tenant: its clients are refused from their next call and nothing is shared with it.",
            (connection, name, token) => connection.Tenants.SuspendTenantAsync(new SuspendTenantRequest { Name = name }, cancellationToken: token).ResponseAsync, "Tenant suspended"));
        tenants.Subcommands.Add(StateChange(run, "reactivate", "Reactivate a suspended tenant.",
            (connection, name, token) => connection.Tenants.ReactivateTenantAsync(new ReactivateTenantRequest { Name = name }, cancellationToken: token).ResponseAsync, "Tenant reactivated"));
        return tenants;
    }

    private static readonly string[] Columns = ["tenant", "display_name", "kind", "state", "create_time"];

    private static string[] Row(Tenant t) =>
        [AdminSupport.LastSegment(t.Name), t.DisplayName, AdminSupport.EnumName(t.Kind), AdminSupport.EnumName(t.State), AdminSupport.Time(t.CreateTime)];

    private static void Show(CliContext context, Tenant tenant, string title)
    {
        if (context.Output.Json)
        {
            context.Output.Message(tenant, title);
        }
        else
        {
            context.Output.Rows(title, Columns, [Row(tenant)]);
        }
    }

    private static Command StateChange(CliApp.Runner run, string verb, string description,
        Func<SharingConnection, string, CancellationToken, Task<Tenant>> call, string title)
    {
        var id = new Argument<string>("id") { Description = "The tenant's slug (or tenants/SLUG)." };
        var command = new Command(verb, description) { id };
        run.Action(command, async (context, cancellationToken) =>
        {
            var name = "tenants/" + AdminSupport.Slug(context.Value(id));
            using var connection = await AdminSupport.ConnectAsync(context, cancellationToken);
            Show(context, await call(connection, name, cancellationToken), title);
            return ExitCodes.Ok;
        });
        return command;
    }
}

/// <summary>Shared by the admin and audit commands: readable names for contract enums, lists, dates and resource names.</summary>
internal static class AdminSupport
{
    /// <summary>The readable name of an enum value: <c>PURPOSE_UN_SUBMISSION</c> becomes <c>un_submission</c>.</summary>
    public static string EnumName<T>(T value)
        where T : struct, System.Enum
    {
        var original = OriginalName(value);
        var prefix = OriginalName(default(T));
        prefix = prefix[..^"UNSPECIFIED".Length];
        return (original.StartsWith(prefix, StringComparison.Ordinal) ? original[prefix.Length..] : original).ToLowerInvariant();
    }

    /// <summary>Parses a readable name (case, dashes and the proto prefix are forgiven); unknown names list what is allowed.</summary>
    public static T ParseEnum<T>(string option, string text, Func<T, bool>? allow = null)
        where T : struct, System.Enum
    {
        var allowed = System.Enum.GetValues<T>().Where(v => Convert.ToInt32(v, CultureInfo.InvariantCulture) != 0 && (allow is null || allow(v))).ToList();
        var wanted = text.Trim().Replace('-', '_').ToLowerInvariant();
        foreach (var value in allowed)
        {
            if (EnumName(value) == wanted || OriginalName(value).Equals(wanted, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new CliException(ExitCodes.BadInput, $"{option}: '{text}' is not known. Use one of: {string.Join(", ", allowed.Select(EnumName))}.");
    }

    /// <summary>Parses a comma-separated list of readable names.</summary>
    public static List<T> ParseEnums<T>(string option, string? text)
        where T : struct, System.Enum => [.. Split(text).Select(item => ParseEnum<T>(option, item))];

    /// <summary>Splits <c>a,b, c</c> into its items; null or empty gives none.</summary>
    public static List<string> Split(string? text) =>
        [.. (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>A tenant slug from <c>slug</c> or <c>tenants/slug</c>.</summary>
    public static string Slug(string text)
    {
        var slug = text.StartsWith("tenants/", StringComparison.Ordinal) ? text["tenants/".Length..] : text;
        return slug.Length > 0 && !slug.Contains('/', StringComparison.Ordinal)
            ? slug
            : throw new CliException(ExitCodes.BadInput, $"'{text}' is not a tenant id; give its slug, e.g. rescue-north.");
    }

    /// <summary>
    /// A connection with its first token already fetched, so that a refused client (wrong key, disabled, suspended
    /// tenant) surfaces as <see cref="Client.Auth.TokenRequestException"/> (exit 3) rather than wrapped in a failed call.
    /// </summary>
    public static async Task<SharingConnection> ConnectAsync(CliContext context, CancellationToken cancellationToken)
    {
        var connection = context.Connect();
        try
        {
            await connection.Tokens.GetTokenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The tenant given with <c>--tenant</c>, or the profile's own.</summary>
    public static string Parent(CliContext context, Option<string?> tenant) =>
        context.Value(tenant) is { Length: > 0 } slug ? "tenants/" + Slug(slug) : context.OwnParent;

    public static string LastSegment(string name) => name[(name.LastIndexOf('/') + 1)..];

    public static string Time(Timestamp? time) =>
        time is null ? "" : time.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A <c>yyyy-MM-dd</c> date (midnight UTC) or a full ISO 8601 time.</summary>
    public static DateTime ParseTime(string option, string text, out bool dateOnly)
    {
        dateOnly = DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date);
        if (dateOnly)
        {
            return date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.UtcDateTime
            : throw new CliException(ExitCodes.BadInput, $"{option}: '{text}' is not a date; use yyyy-MM-dd (e.g. 2027-06-30) or an ISO 8601 time.");
    }

    private static string OriginalName<T>(T value)
        where T : struct, System.Enum =>
        typeof(T).GetField(value.ToString())?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? value.ToString();
}
