using System.Text.Json;
using Google.Protobuf;
using Spectre.Console;

namespace SharingPlatform.Cli;

/// <summary>Writes results as tables for people or JSON for scripts; errors always go to standard error.</summary>
public sealed class Output(OutputFormat format, TextWriter? stdout = null, TextWriter? stderr = null)
{
    /// <summary>Names in JSON results are lowerCamel, as in the resources' proto JSON.</summary>
    private static readonly JsonSerializerOptions ResultJson = new(ProtoJson.Options) { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public TextWriter Out { get; } = stdout ?? System.Console.Out;

    public TextWriter Error { get; } = stderr ?? System.Console.Error;

    public bool Json => format == OutputFormat.Json;

    public IAnsiConsole Console { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout ?? System.Console.Out) });

    /// <summary>Formats a resource in its one JSON shape (for files and scripts).</summary>
    public static string FormatJson(IMessage message) => ProtoJson.Format(message);

    /// <summary>A resource: its JSON shape, or a two-column table of its fields.</summary>
    public void Message(IMessage message, string title)
    {
        if (Json)
        {
            Out.WriteLine(ProtoJson.Format(message));
            return;
        }

        var table = new Table().Title(title).AddColumn("field").AddColumn("value");
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            var text = value switch
            {
                null => "",
                Google.Protobuf.WellKnownTypes.Timestamp time => Commands.AdminSupport.Time(time),
                Google.Protobuf.WellKnownTypes.FieldMask mask => string.Join(", ", mask.Paths),
                IMessage nested => ProtoJson.Format(nested),
                System.Collections.IEnumerable list and not string => string.Join(", ", list.Cast<object>().Select(Cell)),
                _ => Cell(value),
            };
            if (text.Length > 0 && text != "0" && text != "False")
            {
                table.AddRow(Markup.Escape(field.Name), Markup.Escape(text));
            }
        }

        Console.Write(table);
    }

    /// <summary>A value in a table: contract enums by their short lower-case name, hashes in base64url.</summary>
    public static string Cell(object value) => value switch
    {
        System.Enum e => Commands.AdminSupport.EnumName(e),
        ByteString bytes => Hash(bytes),
        bool b => b ? "true" : "false",
        IMessage nested => ProtoJson.Format(nested),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>The one encoding of a hash for people and scripts alike: base64url without padding, as the contract's tokens and key ids.</summary>
    public static string Hash(ByteString bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes.Span);

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

    /// <summary>
    /// A list of resources: for scripts always a JSON array of the resource's one shape (whatever the table shows),
    /// for people a table with these columns.
    /// </summary>
    public void Resources<T>(string title, string[] columns, IReadOnlyCollection<T> items, Func<T, string[]> row, bool one = false)
        where T : IMessage
    {
        if (Json)
        {
            Out.WriteLine(one ? ProtoJson.Format(items.Single()) : ProtoJson.FormatList(items.Cast<IMessage>()));
            return;
        }

        Table(title, columns, items.Select(row));
    }

    /// <summary>One resource: its JSON shape, or a table of one row with the columns its list shows.</summary>
    public void Resource<T>(string title, string[] columns, T item, Func<T, string[]> row)
        where T : IMessage => Resources(title, columns, [item], row, one: true);

    /// <summary>Rows that are no resource (counts, problems): a JSON array of objects, or a table with these columns.</summary>
    public void Rows(string title, string[] columns, IEnumerable<string[]> rows)
    {
        var materialized = rows.ToList();
        if (Json)
        {
            Out.WriteLine(JsonSerializer.Serialize(materialized.Select(r => columns.Zip(r).ToDictionary(p => p.First, p => p.Second)), ResultJson));
            return;
        }

        Table(title, columns, materialized);
    }

    private void Table(string title, string[] columns, IEnumerable<string[]> materialized)
    {

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

    /// <summary>
    /// Reports a failure on standard error and gives its exit code: a line for people, or with <c>--output json</c> one
    /// object of a stable shape, <c>{"error":{"exitCode","code","message","reason","fieldViolations":[{"field","description"}]}}</c>.
    /// <c>code</c> is the gRPC status (<c>NOT_FOUND</c>) when the server refused, else what happened here
    /// (<c>BAD_INPUT</c>, <c>AUTH_FAILED</c>, <c>UNAVAILABLE</c>, <c>VERIFICATION_FAILED</c>, <c>CANCELLED</c>).
    /// </summary>
    public int Fail(int exitCode, string message, string reason = "", Grpc.Core.StatusCode? status = null, IReadOnlyList<(string Field, string Description)>? violations = null)
    {
        violations ??= [];
        if (Json)
        {
            var code = status is { } s ? Commands.AdminSupport.UpperSnake(s.ToString()) : LocalCode(exitCode);
            var error = new { exitCode, code, message, reason, fieldViolations = violations.Select(v => new { field = v.Field, description = v.Description }) };
            Error.WriteLine(JsonSerializer.Serialize(new { error }, ResultJson));
            return exitCode;
        }

        var text = string.Join("; ", new[] { message }.Concat(violations.Select(v => $"{v.Field}: {v.Description}")).Distinct());
        Error.WriteLine("error: " + (status is null ? text : reason.Length == 0 ? $"{status}: {text}" : $"{status} ({reason}): {text}"));
        return exitCode;
    }

    private static string LocalCode(int exitCode) => exitCode switch
    {
        ExitCodes.BadInput => "BAD_INPUT",
        ExitCodes.AuthFailed => "AUTH_FAILED",
        ExitCodes.Unavailable => "UNAVAILABLE",
        ExitCodes.Partial => "PARTIAL",
        ExitCodes.VerificationFailed => "VERIFICATION_FAILED",
        ExitCodes.Cancelled => "CANCELLED",
        _ => "FAILED",
    };

    /// <summary>A JSON object for scripts, or a line of text for people.</summary>
    public void Result(object json, string text)
    {
        if (Json)
        {
            Out.WriteLine(JsonSerializer.Serialize(json, ResultJson));
        }
        else
        {
            Out.WriteLine(text);
        }
    }
}
