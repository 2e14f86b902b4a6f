using System.CommandLine;
using System.Text.Json;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;
using SharingPlatform.V1;

namespace SharingPlatform.Cli.Commands;

/// <summary>
/// <c>sharectl login</c>: checks the connection with real calls (a token from the identity server, then an
/// authenticated GetTenant of the client's own tenant on the gRPC address), and only then saves it as a profile.
/// </summary>
public static class LoginCommand
{
    public static Command Create(CliApp.Runner run)
    {
        var server = new Option<string?>("--server") { Description = "The gRPC address, e.g. http://127.0.0.1:5081." };
        var identity = new Option<string?>("--identity") { Description = "The identity server (issuer), e.g. http://127.0.0.1:5080/." };
        var clientId = new Option<string?>("--client-id") { Description = "This client's id: its name, tenants/{tenant}/clients/{client}." };
        var key = new Option<FileInfo?>(KeyFileOption.Name, "--key") { Description = "This client's private key (JWK file)." };
        var connection = new Option<FileInfo?>("--connection") { Description = "A connection file written by the server (data/bootstrap or data/demo), instead of the four options above." };
        var login = new Command("login", "Save a connection to the platform as a profile, after checking it works.") { server, identity, clientId, key, connection };
        login.Description += Examples.Format(
            ("sharectl login --connection data/demo/nkdb-demo-sync.json --profile nkdb", "from a connection file the server wrote"),
            ("sharectl login --server http://127.0.0.1:5081 --identity http://127.0.0.1:5080/ --client-id tenants/north-rescue/clients/admin --key-file north-admin.jwk",
                "from the four parts; nothing is saved unless both addresses answer"));
        run.Action(login, async (context, cancellationToken) =>
        {
            var (grpc, issuer, id, keyFile) = context.Value(connection) is { } file
                ? FromConnectionFile(file)
                : (Address(context.Value(server), "--server"), Address(context.Value(identity), "--identity"),
                    context.Value(clientId) ?? Missing<string>("--client-id"), context.Value(key)?.FullName ?? Missing<string>(KeyFileOption.Name));
            if (!File.Exists(keyFile))
            {
                throw new CliException(ExitCodes.BadInput, $"No key file at {keyFile}.");
            }

            using var check = new SharingConnection(grpc, issuer, id, ClientKey.Load(keyFile), context.Transport);
            var token = new JsonWebToken(await check.Tokens.GetTokenAsync(cancellationToken));
            var tenant = token.GetClaim("tenant").Value;
            var roles = string.Join(", ", token.Claims.Where(c => c.Type == "role").Select(c => c.Value));
            await CheckGrpcAsync(check, grpc, tenant, cancellationToken);
            context.Profiles.Save(context.ProfileName, new Profile(grpc.ToString(), issuer.ToString(), id, keyFile, tenant));
            context.Output.Result(new { profile = context.ProfileName, clientId = id, tenant, roles },
                $"Logged in as {id} (tenant {tenant}; roles: {roles}). Saved as profile '{context.ProfileName}'.");
            return ExitCodes.Ok;
        });
        return login;
    }

    /// <summary>
    /// Any client may read its own tenant: the cheapest call that proves the address is this platform's gRPC
    /// endpoint and that it accepts the identity server's token. Nothing is saved unless it answers.
    /// </summary>
    private static async Task CheckGrpcAsync(SharingConnection check, Uri grpc, string tenant, CancellationToken cancellationToken)
    {
        try
        {
            await check.Tenants.GetTenantAsync(new GetTenantRequest { Name = "tenants/" + tenant }, deadline: DateTime.UtcNow.Add(CheckTimeout), cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unimplemented or StatusCode.Unknown)
        {
            throw new CliException(ExitCodes.Unavailable, $"the identity server answered, but the gRPC address {grpc} did not ({e.StatusCode}); check --server. No profile was saved.");
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.Unauthenticated)
        {
            throw new CliException(ExitCodes.AuthFailed, $"the gRPC address {grpc} refused the identity server's token; check that --server and --identity belong to the same platform. No profile was saved.");
        }
    }

    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(15);

    private static (Uri Grpc, Uri Issuer, string ClientId, string KeyFile) FromConnectionFile(FileInfo file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(file.FullName));
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new CliException(ExitCodes.BadInput, $"{file.FullName} is not a connection file.");
        }

        string Field(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new CliException(ExitCodes.BadInput, $"{file.FullName} has no '{name}'.");
        return (new Uri(Field("grpc_url")), new Uri(Field("issuer")), Field("client_id"), Field("key_file"));
    }

    private static Uri Address(string? text, string option) =>
        text is null ? Missing<Uri>(option)
        : Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri
        : throw new CliException(ExitCodes.BadInput, $"{option} must be an http(s) URL.");

    private static T Missing<T>(string option) => throw new CliException(ExitCodes.BadInput, $"{option} is required (or give --connection FILE).");
}
