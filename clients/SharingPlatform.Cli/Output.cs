using System.Text.Json;
using Google.Protobuf;
using Spectre.Console;

namespace SharingPlatform.Cli;

/// <summary>Writes results as tables for people or JSON for scripts; errors always go to standard error.</summary>
public sealed class Output(OutputFormat format, TextWriter? stdout = null, TextWriter? stderr = null)
{
    private static readonly JsonFormatter ProtobufJson = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    public TextWriter Out { get; } = stdout ?? System.Console.Out;

    public TextWriter Error { get; } = stderr ?? System.Console.Error;

    public bool Json => format == OutputFormat.Json;

    public IAnsiConsole Console { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout ?? System.Console.Out) });

    /// <summary>Formats a protobuf message as canonical JSON (for files and scripts).</summary>
    public static string FormatJson(IMessage message) => ProtobufJson.Format(message);

    /// <summary>A protobuf message: JSON in its canonical form, or a two-column table of its fields.</summary>
    public void Message(IMessage message, string title)
    {
        if (Json)
        {
            Out.WriteLine(ProtobufJson.Format(message));
            return;
        }

        var table = new Table().Title(title).AddColumn("field").AddColumn("value");
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            var text = value switch
            {
                null => "",
                IMessage nested => ProtobufJson.Format(nested),
                System.Collections.IEnumerable list and not string => string.Join(", ", list.Cast<object>()),
                _ => value.ToString() ?? "",
            };
            if (text.Length > 0 && text != "0" && text != "False")
            {
                table.AddRow(Markup.Escape(field.Name), Markup.Escape(text));
            }
        }

        Console.Write(table);
    }

    /// <summary>
    /// Runs long work under a progress bar for people (a count when the total is unknown); scripts (JSON output)
    /// get no bar, only the result.
    /// </summary>
    public async Task<T> WithProgressAsync<T>(string label, int? total, Func<IProgress<int>, Task<T>> work)
    {
        if (Json)
        {
            return await work(new Progress<int>());
        }

        var result = default(T)!;
        await Console.Progress().AutoClear(true).StartAsync(async progress =>
        {
            var task = progress.AddTask(label, maxValue: total ?? 1);
            task.IsIndeterminate = total is null;
            result = await work(new Progress<int>(done =>
            {
                task.Value = total is null ? 0 : done;
                task.Description = total is null ? $"{label} ({done:N0})" : label;
            }));
            task.Value = task.MaxValue;
        });
        return result;
    }

    /// <summary>Rows: a JSON array of objects, or a table with these columns.</summary>
    public void Rows(string title, string[] columns, IEnumerable<string[]> rows)
    {
        var materialized = rows.ToList();
        if (Json)
        {
            Out.WriteLine(JsonSerializer.Serialize(materialized.Select(r => columns.Zip(r).ToDictionary(p => p.First, p => p.Second))));
            return;
        }

        var table = new Table().Title(title);
        foreach (var column in columns)
        {
            table.AddColumn(column);
        }

        foreach (var row in materialized)
        {
            table.AddRow([.. row.Select(Markup.Escape)]);
        }

        Console.Write(table);
    }

    /// <summary>A JSON object for scripts, or a line of text for people.</summary>
    public void Result(object json, string text)
    {
        if (Json)
        {
            Out.WriteLine(JsonSerializer.Serialize(json));
        }
        else
        {
            Out.WriteLine(text);
        }
    }
}
