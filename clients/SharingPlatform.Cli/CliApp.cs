using System.CommandLine;
using Google.Rpc;
using Grpc.Core;
using SharingPlatform.Cli.Commands;
using SharingPlatform.Client.Auth;

namespace SharingPlatform.Cli;

/// <summary>sharectl: the command tree, and the one place where failures become messages and exit codes.</summary>
public static class CliApp
{
    /// <param name="configDirectory">Where profiles live; null means SHARECTL_HOME, $XDG_CONFIG_HOME/sharectl or ~/.config/sharectl (tests pass their own).</param>
    /// <param name="transport">Null means the network; tests pass an in-process server's handler.</param>
    /// <param name="cancellationToken">Cancels the command as Ctrl-C does (tests stop a follow with it).</param>
    public static Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, HttpMessageHandler? transport = null, string? configDirectory = null,
        CancellationToken cancellationToken = default)
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("sharectl: exchange pseudonymized case records with SharingPlatform partners." + Examples.Format(
            ("sharectl login --connection data/demo/nkdb-demo-sync.json", "check a connection and save it as the default profile"),
            ("sharectl cases push cases.csv --linkage-key-file linkage.key", "pseudonymize a file here and push it"),
            ("sharectl cases pull --store view.db --output json", "pull your view; one JSON object on stdout"),
            ("source <(sharectl completion bash)", "Tab completion in bash")));
        root.Options.Add(globals.Profile);
        root.Options.Add(globals.Output);
        var run = new Runner(globals, stdout, stderr, transport, new Profiles(configDirectory));
        foreach (var command in new[]
        {
            KeysCommands.Create(run), LoginCommand.Create(run), CasesCommands.Create(run), TenantsCommands.Create(run),
            ClientsCommands.Create(run), AgreementsCommands.Create(run), AuditCommands.Create(run), DemoCommands.Create(run), CompletionCommand.Create(run),
        })
        {
            root.Subcommands.Add(command);
        }

        var configuration = new InvocationConfiguration { Output = stdout ?? Console.Out, Error = stderr ?? Console.Error };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.GetValue(globals.Output) == OutputFormat.Json)
        {
            // Scripts get the error shape of every other failure. System.CommandLine's messages quote what was typed,
            // so they are left out: a mistyped value may be a name.
            return Task.FromResult(new Output(OutputFormat.Json, stdout, stderr).Fail(ExitCodes.BadInput, "the arguments are not valid; see sharectl COMMAND --help."));
        }

        return parse.InvokeAsync(configuration, cancellationToken);
    }

    /// <summary>Attaches actions to commands with the shared error handling.</summary>
    public sealed class Runner(GlobalOptions globals, TextWriter? stdout, TextWriter? stderr, HttpMessageHandler? transport, Profiles profiles)
    {
        public void Action(Command command, Func<CliContext, CancellationToken, Task<int>> action) =>
            command.SetAction(async (parse, cancellationToken) =>
            {
                var output = new Output(parse.GetValue(globals.Output), stdout, stderr);
                try
                {
                    return await action(new CliContext(parse, globals, output, profiles, transport), cancellationToken);
                }
                catch (CliException e)
                {
                    return output.Fail(e.ExitCode, e.Message);
                }
                catch (TokenRequestException e)
                {
                    return output.Fail(ExitCodes.AuthFailed, $"the identity server refused this client ({e.Error}). Check the profile's client id and key.", e.Error);
                }
                catch (RpcException e) when (e.Status.DebugException is TokenRequestException refused)
                {
                    // The token is fetched as the call starts, so a refusal arrives wrapped in the call's error.
                    return output.Fail(ExitCodes.AuthFailed, $"the identity server refused this client ({refused.Error}). Check the profile's client id and key.", refused.Error);
                }
                catch (RpcException e) when (e.Status.DebugException is HttpRequestException unreachable)
                {
                    // The identity server could not be reached for the token the call needed.
                    return output.Fail(ExitCodes.Unavailable, $"cannot reach the identity server: {unreachable.Message}");
                }
                catch (RpcException e)
                {
                    return Fail(output, e);
                }
                catch (HttpRequestException e)
                {
                    return output.Fail(ExitCodes.Unavailable, $"cannot reach the server: {e.Message}");
                }
                catch (OperationCanceledException)
                {
                    return output.Fail(ExitCodes.Cancelled, "cancelled");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or FormatException or ArgumentException or System.Text.Json.JsonException or Google.Protobuf.InvalidJsonException)
                {
                    // Local files and arguments: say what went wrong, without a stack trace.
                    return output.Fail(ExitCodes.BadInput, e.Message);
                }
            });
    }

    /// <summary>A server's refusal: its status, reason and the fields it names (rich error details), never a stack trace.</summary>
    private static int Fail(Output output, RpcException e)
    {
        var status = e.GetRpcStatus();
        var violations = status?.GetDetail<BadRequest>()?.FieldViolations.Select(v => (v.Field, v.Description)).ToList() ?? [];
        var reason = status?.GetDetail<ErrorInfo>()?.Reason ?? "";
        return output.Fail(ExitCode(e.StatusCode), e.Status.Detail, reason, e.StatusCode, violations);
    }

    private static int ExitCode(StatusCode code) => code switch
    {
        StatusCode.Cancelled => ExitCodes.Cancelled,
        StatusCode.Unauthenticated => ExitCodes.AuthFailed,
        StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown => ExitCodes.Unavailable,
        _ => ExitCodes.Refused,
    };
}
