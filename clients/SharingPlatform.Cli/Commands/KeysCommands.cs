using System.CommandLine;
using SharingPlatform.Client;
using SharingPlatform.Client.Auth;
using SharingPlatform.Client.Pseudonymization;

namespace SharingPlatform.Cli.Commands;

/// <summary><c>sharectl keys new</c> and <c>keys new-linkage-key</c>: keys are made here and never leave this machine.</summary>
public static class KeysCommands
{
    public static Command Create(CliApp.Runner run)
    {
        var keys = new Command("keys", "Create client and linkage keys.");

        var outOption = new Option<FileInfo>("--out") { Description = "Where to write the private key (created owner-only; never overwritten).", Required = true };
        var publicOut = new Option<FileInfo?>("--public-out") { Description = "Also write the public JWK here, to send to whoever registers the client (it holds no secret)." };
        var client = new Command("new", "Create a client key pair; prints the public JWK to register with the platform.") { outOption, publicOut };
        client.Description += Examples.Format(("sharectl keys new --out admin.jwk --public-out admin.public.jwk", "keep admin.jwk; send admin.public.jwk"));
        run.Action(client, (context, _) =>
        {
            var path = context.Value(outOption).FullName;
            var publicPath = context.Value(publicOut)?.FullName;
            Refuse(path);
            if (publicPath is not null)
            {
                Refuse(publicPath);
            }

            var key = ClientKey.Create();
            key.Save(path);
            if (publicPath is not null)
            {
                // Public, but a key file all the same: written as every file sharectl writes, owner-only.
                SecretFile.Write(publicPath, key.PublicJwkJson());
            }

            context.Output.Result(new { keyFile = path, keyId = key.KeyId, publicJwk = key.PublicJwkJson() },
                $"Private key written to {path} (keep it secret).\nKey id: {key.KeyId}\nPublic JWK to register:\n{key.PublicJwkJson()}");
            return Task.FromResult(ExitCodes.Ok);
        });
        keys.Subcommands.Add(client);

        var linkageOut = new Option<FileInfo>("--out") { Description = "Where to write the linkage key (created owner-only; never overwritten).", Required = true };
        var linkage = new Command("new-linkage-key", "Create the consortium linkage key that subject tokens are derived from. Share it with partners only, never with the server.") { linkageOut };
        run.Action(linkage, (context, _) =>
        {
            var path = context.Value(linkageOut).FullName;
            Refuse(path);
            LinkageKey.Create().Save(path);
            context.Output.Result(new { linkageKeyFile = path }, $"Linkage key written to {path}. Give it to partner NGOs over a secure channel; never to the platform.");
            return Task.FromResult(ExitCodes.Ok);
        });
        keys.Subcommands.Add(linkage);
        return keys;
    }

    private static void Refuse(string path)
    {
        if (File.Exists(path))
        {
            throw new CliException(ExitCodes.BadInput, $"{path} exists; a key is never overwritten. Choose another path.");
        }
    }
}
