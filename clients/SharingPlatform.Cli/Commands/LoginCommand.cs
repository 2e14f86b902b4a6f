using System.CommandLine;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;

namespace SharingPlatform.Cli.Commands;

/// <summary><c>sharectl login</c>: checks that a client can get a token, then saves it as a profile.</summary>
public static class LoginCommand
{
    public static Command Create(CliApp.Runner run)
    {
        var server = new Option<string?>("--server") { Description = "The gRPC address, e.g. http://127.0.0.1:5081." };
        var identity = new Option<string?>("--identity") { Description = "The identity server (issuer), e.g. http://127.0.0.1:5080/." };
        var clientId = new Option<string?>("--client-id") { Description = "This client's id: its name, tenants/{tenant}/clients/{client}." };
        var key = new Option<FileInfo?>("--key") { Description = "This client's private key (JWK file)." };
        var connection = new Option<FileInfo?>("--connection") { Description = "A connection file written by the server (data/bootstrap or data/demo), instead of the four options above." };
        var login = new Command("login", "Save a connection to the platform as a profile, after checking it works.") { server, identity, clientId, key, connection };
        run.Action(login, async (context, cancellationToken) =>
        {
            var (grpc, issuer, id, keyFile) = context.Value(connection) is { } file
                ? FromConnectionFile(file)
                : (Address(context.Value(server), "--server"), Address(context.Value(identity), "--identity"),
                    context.Value(clientId) ?? Missing<string>("--client-id"), context.Value(key)?.FullName ?? Missing<string>("--key"));
            if (!File.Exists(keyFile))
            {
                throw new CliException(ExitCodes.BadInput, $"No key file at {keyFile}.");
            }

            using var check = new SharingConnection(grpc, issuer, id, ClientKey.Load(keyFile), context.Transport);
            var token = new JsonWebToken(await check.Tokens.GetTokenAsync(cancellationToken));
            var tenant = token.GetClaim("tenant").Value;
            var roles = string.Join(", ", token.Claims.Where(c => c.Type == "role").Select(c => c.Value));
            context.Profiles.Save(context.ProfileName, new Profile(grpc.ToString(), issuer.ToString(), id, keyFile, tenant));
            context.Output.Result(new { profile = context.ProfileName, clientId = id, tenant, roles },
                $"Logged in as {id} (tenant {tenant}; roles: {roles}). Saved as profile '{context.ProfileName}'.");
            return ExitCodes.Ok;
        });
        return login;
    }

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
