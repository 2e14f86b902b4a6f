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
        var adminKey = KeyFileOption.Create("admin",
            "The public JWK the tenant sent for its first tenant-admin (from its `sharectl keys new --public-out`). The tenant keeps the private key; a private key file is refused.",
            earlierName: "--admin-key");
        var adminId = new Option<string>("--admin-client-id") { Description = "The {client} part of that tenant-admin's name.", DefaultValueFactory = _ => "admin" };
        var create = new Command("create", "Create a tenant with its first tenant-admin client (platform-admin).") { createId, displayName, kind, adminKey, adminId };
        create.Description += Examples.Format(
            ("sharectl tenants create north-rescue --name \"North Rescue Network\" --kind rescue --admin-key-file north-admin.public.jwk", "with the public key the partner sent"));
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
                    AdminClientId = context.Value(adminId), AdminPublicJwk = publicJwk, RequestId = Guid.NewGuid().ToString("N"),
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
            var all = await Pages.AllAsync(
                token => connection.Tenants.ListTenantsAsync(new ListTenantsRequest { PageSize = 1000, PageToken = token }, cancellationToken: cancellationToken).ResponseAsync,
                page => page.Tenants, page => page.NextPageToken);
            context.Output.Resources("Tenants", Columns, all, Row);
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

    private static void Show(CliContext context, Tenant tenant, string title) => context.Output.Resource(title, Columns, tenant, Row);

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
        where T : struct, System.Enum => EnumName((System.Enum)value);

    /// <summary>The same for a value of any contract enum (the prefix is the name of its zero value less <c>UNSPECIFIED</c>).</summary>
    public static string EnumName(System.Enum value)
    {
        var original = OriginalName(value);
        var prefix = OriginalName((System.Enum)System.Enum.ToObject(value.GetType(), 0));
        prefix = prefix.EndsWith("UNSPECIFIED", StringComparison.Ordinal) ? prefix[..^"UNSPECIFIED".Length] : "";
        return (prefix.Length > 0 && original.StartsWith(prefix, StringComparison.Ordinal) ? original[prefix.Length..] : original).ToLowerInvariant();
    }

    /// <summary>Parses a readable name (case, dashes and the proto prefix are forgiven); unknown names list what is allowed.</summary>
    public static T ParseEnum<T>(string option, string text, Func<T, bool>? allow = null)
        where T : struct, System.Enum
    {
        var allowed = System.Enum.GetValues<T>().Where(v => Convert.ToInt32(v, CultureInfo.InvariantCulture) != 0 && (allow is null || allow(v))).ToList();
        var wanted = text.Trim().Replace('-', '_').ToLowerInvariant();
        foreach (var value in allowed)
        {
            if (EnumName(value) == wanted || OriginalName((System.Enum)value).Equals(wanted, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        throw new CliException(ExitCodes.BadInput, $"{option}: not a known value. Use one of: {string.Join(", ", allowed.Select(EnumName))}.");
    }

    /// <summary>Parses a comma-separated list of readable names.</summary>
    public static List<T> ParseEnums<T>(string option, string? text)
        where T : struct, System.Enum => [.. Split(text).Select(item => ParseEnum<T>(option, item))];

    /// <summary><c>NotFound</c> as <c>NOT_FOUND</c>, the spelling of the contract's codes.</summary>
    public static string UpperSnake(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString()));

    /// <summary>Splits <c>a,b, c</c> into its items; null or empty gives none.</summary>
    public static List<string> Split(string? text) =>
        [.. (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>A tenant slug from <c>slug</c> or <c>tenants/slug</c>.</summary>
    public static string Slug(string text)
    {
        var slug = text.StartsWith("tenants/", StringComparison.Ordinal) ? text["tenants/".Length..] : text;
        return slug.Length > 0 && !slug.Contains('/', StringComparison.Ordinal)
            ? slug
            : throw new CliException(ExitCodes.BadInput, "not a tenant id; give its slug, e.g. rescue-north.");
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

    /// <summary>A time in JSON results, as the proto JSON mapping writes one (RFC 3339, UTC).</summary>
    public static string? Rfc3339(Timestamp? time) =>
        time is null ? null : time.ToDateTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

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
            : throw new CliException(ExitCodes.BadInput, $"{option}: not a date; use yyyy-MM-dd (e.g. 2027-06-30) or an ISO 8601 time.");
    }

    /// <summary>The value's name in the contract, e.g. <c>CASE_STATUS_DETAINED</c>.</summary>
    public static string ContractName(System.Enum value) => OriginalName(value);

    private static string OriginalName(System.Enum value) =>
        value.GetType().GetField(value.ToString())?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? value.ToString();
}
