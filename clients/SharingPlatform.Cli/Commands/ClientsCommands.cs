using System.CommandLine;
using System.Text.Json;
using SharingPlatform.Client.Auth;
using SharingPlatform.V1;

namespace SharingPlatform.Cli.Commands;

/// <summary>
/// <c>sharectl clients register|list|disable|enable|rotate-key</c>: a tenant's machine clients (its tenant-admin, or a
/// platform-admin for any tenant). Only public keys are ever sent; a private key file is reduced to its public half here.
/// </summary>
public static class ClientsCommands
{
    private static readonly string[] Columns = ["client_id", "roles", "state", "key_id", "create_time"];

    public static Command Create(CliApp.Runner run)
    {
        var clients = new Command("clients", "Register, list and disable a tenant's clients, and rotate their keys.");

        var registerId = new Argument<string>("client-id") { Description = "The {client} part of the new client's name tenants/{tenant}/clients/{client} (its OAuth client_id): 3-63 of a-z, 0-9 and -." };
        var roles = new Option<string>("--roles") { Description = "Comma-separated roles: sync, tenant-admin, auditor (platform-admin, platform-auditor in the operator tenant only).", Required = true };
        var registerKey = KeyFile();
        var registerTenant = TenantOption();
        var register = new Command("register", "Register a client with its public key.") { registerId, roles, registerKey, registerTenant };
        register.Description += Examples.Format(
            ("sharectl keys new --out sync.jwk --public-out sync.public.jwk", "first make the key, on the machine that will use it"),
            ("sharectl clients register sync --roles sync --key-file sync.public.jwk", "then register its public half"));
        run.Action(register, async (context, cancellationToken) =>
        {
            var roleList = AdminSupport.Split(context.Value(roles));
            if (roleList.Count == 0)
            {
                throw new CliException(ExitCodes.BadInput, "--roles: name at least one role, e.g. sync.");
            }

            var publicJwk = PublicJwk(context.Value(registerKey));
            var parent = AdminSupport.Parent(context, registerTenant);
            using var connection = await AdminSupport.ConnectAsync(context, cancellationToken);
            var client = await connection.Tenants.RegisterClientAsync(
                new RegisterClientRequest { Parent = parent, ClientId = context.Value(registerId), Roles = { roleList }, PublicJwk = publicJwk, RequestId = Guid.NewGuid().ToString("N") },
                cancellationToken: cancellationToken);
            Show(context, client, "Client registered");
            return ExitCodes.Ok;
        });
        clients.Subcommands.Add(register);

        var listTenant = TenantOption();
        var list = new Command("list", "List a tenant's clients.") { listTenant };
        run.Action(list, async (context, cancellationToken) =>
        {
            var parent = AdminSupport.Parent(context, listTenant);
            using var connection = await AdminSupport.ConnectAsync(context, cancellationToken);
            var all = await Pages.AllAsync(
                token => connection.Tenants.ListClientsAsync(new ListClientsRequest { Parent = parent, PageToken = token }, cancellationToken: cancellationToken).ResponseAsync,
                page => page.Clients, page => page.NextPageToken);
            context.Output.Resources($"Clients of {parent}", Columns, all, Row);
            return ExitCodes.Ok;
        });
        clients.Subcommands.Add(list);

        var disableId = ClientIdArgument();
        var disableTenant = TenantOption();
        var disable = new Command("disable", "Disable a client: refused from its next call, and it gets no new token.") { disableId, disableTenant };
        run.Action(disable, async (context, cancellationToken) =>
        {
            var name = ClientName(context, disableTenant, disableId);
            using var connection = await AdminSupport.ConnectAsync(context, cancellationToken);
            Show(context, await connection.Tenants.DisableClientAsync(new DisableClientRequest { Name = name }, cancellationToken: cancellationToken), "Client disabled");
            return ExitCodes.Ok;
        });
        clients.Subcommands.Add(disable);

        var enableId = ClientIdArgument();
        var enableTenant = TenantOption();
        var enable = new Command("enable", "Enable a disabled client again: it may get tokens again (tokens issued before the disable stay revoked).") { enableId, enableTenant };
        enable.Description += Examples.Format(
            ("sharectl clients enable sync", "enable the client sync of the profile's tenant"),
            ("sharectl clients enable tenants/ngo-a/clients/sync --output json", "by full name, printed as JSON"));
        run.Action(enable, async (context, cancellationToken) =>
        {
            var name = ClientName(context, enableTenant, enableId);
            using var connection = await AdminSupport.ConnectAsync(context, cancellationToken);
            Show(context, await connection.Tenants.EnableClientAsync(new EnableClientRequest { Name = name }, cancellationToken: cancellationToken), "Client enabled");
            return ExitCodes.Ok;
        });
        clients.Subcommands.Add(enable);

        var rotateId = ClientIdArgument();
        var rotateKey = KeyFile();
        var rotateTenant = TenantOption();
        var rotate = new Command("rotate-key", "Replace a client's public key; assertions signed with the old key are refused from then on.") { rotateId, rotateKey, rotateTenant };
        run.Action(rotate, async (context, cancellationToken) =>
        {
            var publicJwk = PublicJwk(context.Value(rotateKey));
            var name = ClientName(context, rotateTenant, rotateId);
            using var connection = await AdminSupport.ConnectAsync(context, cancellationToken);
            var client = await connection.Tenants.RotateClientKeyAsync(new RotateClientKeyRequest { Name = name, PublicJwk = publicJwk }, cancellationToken: cancellationToken);
            Show(context, client, "Key rotated");
            return ExitCodes.Ok;
        });
        clients.Subcommands.Add(rotate);
        return clients;
    }

    private static Option<FileInfo> KeyFile() => KeyFileOption.Create(null,
        "The client's key as a JWK file: a public JWK, or a private one from `sharectl keys new` (only its public half is sent).", earlierName: null);

    private static Option<string?> TenantOption() => new("--tenant") { Description = "The tenant's slug (default: the profile's tenant)." };

    private static Argument<string> ClientIdArgument() => new("client-id") { Description = "The client: its name tenants/{tenant}/clients/{client}, or the {client} part with --tenant (default: the profile's tenant)." };

    private static string ClientName(CliContext context, Option<string?> tenant, Argument<string> id)
    {
        var clientId = context.Value(id);
        var parts = clientId.Split('/');
        if (parts is ["tenants", { Length: > 0 }, "clients", { Length: > 0 }])
        {
            return clientId;
        }

        return parts.Length > 1
            ? throw new CliException(ExitCodes.BadInput, "Give a client as tenants/{tenant}/clients/{client}, or the {client} part alone with --tenant.")
            : $"{AdminSupport.Parent(context, tenant)}/clients/{clientId}";
    }

    /// <summary>
    /// The public JWK to send. A private JWK (one with <c>d</c>) is loaded and only its public half leaves this machine;
    /// unless <paramref name="allowPrivate"/> is false: then the file should never have reached this machine at all.
    /// </summary>
    internal static string PublicJwk(FileInfo file, bool allowPrivate = true)
    {
        if (!file.Exists)
        {
            throw new CliException(ExitCodes.BadInput, $"No key file at {file.FullName}.");
        }

        var text = File.ReadAllText(file.FullName).Trim();
        var properties = JsonProperties(text);
        if (properties is null || !properties.Contains("kty"))
        {
            throw new CliException(ExitCodes.BadInput, $"{file.FullName} is not a JWK (a JSON object with \"kty\").");
        }

        if (!properties.Contains("d"))
        {
            return text;
        }

        if (!allowPrivate)
        {
            throw new CliException(ExitCodes.BadInput,
                $"{file.FullName} holds a private key. The tenant keeps its private key and sends only the public JWK (`sharectl keys new --public-out`); nothing was sent.");
        }

        try
        {
            return ClientKey.Load(file.FullName).PublicJwkJson();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            throw new CliException(ExitCodes.BadInput, $"{file.FullName} holds a private key that is not an EC P-256 JWK; nothing was sent.");
        }
    }

    /// <summary>The top-level property names of a JSON object, or null when the text is not one.</summary>
    internal static HashSet<string>? JsonProperties(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object ? [.. document.RootElement.EnumerateObject().Select(p => p.Name)] : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string[] Row(V1.Client c) =>
        [AdminSupport.LastSegment(c.Name), string.Join(",", c.Roles), AdminSupport.EnumName(c.State), c.KeyId, AdminSupport.Time(c.CreateTime)];

    private static void Show(CliContext context, V1.Client client, string title) => context.Output.Resource(title, Columns, client, Row);
}
