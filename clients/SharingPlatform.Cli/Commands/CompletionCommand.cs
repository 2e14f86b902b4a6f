using System.CommandLine;

namespace SharingPlatform.Cli.Commands;

/// <summary>
/// <c>sharectl completion bash|zsh|fish</c>: prints a completion script for the shell. The scripts hold no command
/// list: on each Tab they ask sharectl (System.CommandLine's <c>[suggest]</c> directive, as dotnet-suggest does),
/// so they never fall behind the commands.
/// </summary>
public static class CompletionCommand
{
    public static readonly string[] Shells = ["bash", "zsh", "fish"];

    public static Command Create(CliApp.Runner run)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish." };
        shell.AcceptOnlyFromAmong(Shells);
        var completion = new Command("completion", "Print a shell completion script.") { shell };
        completion.Description += Examples.Format(
            ("source <(sharectl completion bash)", "complete in this bash session (add the line to ~/.bashrc to keep it)"),
            ("source <(sharectl completion zsh)", "the same in zsh (after compinit)"),
            ("sharectl completion fish > ~/.config/fish/completions/sharectl.fish", "fish loads it from then on"));
        run.Action(completion, (context, _) =>
        {
            context.Output.Out.Write(Script(context.Value(shell)));
            return Task.FromResult(ExitCodes.Ok);
        });
        return completion;
    }

    /// <summary>The script for <paramref name="shell"/>, embedded in the tool.</summary>
    public static string Script(string shell)
    {
        using var stream = typeof(CompletionCommand).Assembly.GetManifestResourceStream($"sharectl.{shell}")
            ?? throw new CliException(ExitCodes.BadInput, "shell: use one of bash, zsh, fish.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
