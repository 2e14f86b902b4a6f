namespace SharingPlatform.Cli;

/// <summary>The examples appended to a command's <c>--help</c> description.</summary>
internal static class Examples
{
    public static string Format(params (string Command, string What)[] examples) =>
        "\n\nExamples:\n" + string.Join("\n", examples.Select(e => $"  {e.Command}\n      {e.What}"));
}
