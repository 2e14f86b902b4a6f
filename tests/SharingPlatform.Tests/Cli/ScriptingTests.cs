using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using SharingPlatform.Cli;
using SharingPlatform.Tests.Infrastructure;
using SharingPlatform.V1;

namespace SharingPlatform.Tests.Cli;

/// <summary>What a script relies on: exit codes, errors as JSON, a login that checks, owner-only files, where profiles live, completion.</summary>
public sealed class ScriptingTests(SqliteFixture fixture) : IClassFixture<SqliteFixture>
{
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly string SharectlDll = typeof(CliApp).Assembly.Location;

    private static JsonObject ErrorJson((int Exit, string Out, string Error) result, int exit, string code)
    {
        Assert.True(result.Exit == exit, result.Error);
        Assert.Empty(result.Out);
        var error = JsonNode.Parse(result.Error)!["error"]!.AsObject();
        Assert.Equal(["exitCode", "code", "message", "reason", "fieldViolations"], error.Select(p => p.Key));
        Assert.Equal(exit, error["exitCode"]!.GetValue<int>());
        Assert.Equal(code, error["code"]!.GetValue<string>());
        return error;
    }

    [Fact]
    public async Task Every_exit_code_in_ExitCodes_is_in_the_readme_table_with_its_meaning()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "README.md"), TestContext.Current.CancellationToken);
        var codes = typeof(ExitCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (int)f.GetValue(null)!).ToList();

        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 130], codes.Order());
        Assert.All(codes, code => Assert.Matches($@"\n\| {code} \| [^|\n]+ \|", readme));
    }

    [Fact]
    public async Task An_unknown_profile_exits_1_and_says_so_as_json_on_stderr()
    {
        using var cli = new Sharectl(fixture);

        var text = await cli.RunAsync("cases", "list", "--profile", "nobody");
        var json = await cli.RunAsync("cases", "list", "--profile", "nobody", "--output", "json");

        Assert.Equal(1, text.Exit);
        Assert.Contains("No profile 'nobody'", text.Error, StringComparison.Ordinal);
        ErrorJson(json, 1, "BAD_INPUT");
    }

    [Fact]
    public async Task A_server_refusal_is_json_with_its_status_reason_and_fields()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var other = await fixture.CreateClientAsync(null, "tenant-admin");
        var grantee = await fixture.CreateClientAsync();
        using var cli = new Sharectl(fixture);
        await cli.LoginAsync(admin);
        var tooLate = DateTime.UtcNow.AddYears(9).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var notFound = ErrorJson(await cli.RunAsync("clients", "list", "--tenant", other.TenantSlug, "-o", "json"), 2, "NOT_FOUND");
        var invalid = ErrorJson(await cli.RunAsync("agreements", "create", "--to", grantee.TenantSlug, "--fields", "status", "--purpose", "documentation", "--until", tooLate, "-o", "json"), 2, "INVALID_ARGUMENT");

        Assert.NotEmpty(notFound["message"]!.GetValue<string>());
        Assert.NotEmpty(invalid["reason"]!.GetValue<string>());
        var violation = Assert.Single(invalid["fieldViolations"]!.AsArray())!;
        Assert.Contains("valid_until", violation["field"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEmpty(violation["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Errors_never_repeat_what_was_typed_neither_a_bad_value_nor_an_unknown_argument()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        using var cli = new Sharectl(fixture);
        await cli.LoginAsync(admin);
        const string Marker = "Kim-Chol-ho-1987";

        var badValue = await cli.RunAsync("agreements", "create", "--to", "x", "--fields", "status", "--purpose", Marker, "--until", "2027-01-01", "-o", "json");
        var badDate = await cli.RunAsync("agreements", "create", "--to", "x", "--fields", "status", "--purpose", "documentation", "--until", Marker, "-o", "json");
        var badTenant = await cli.RunAsync("tenants", "suspend", "a/" + Marker, "-o", "json");
        var unknownArgument = await cli.RunAsync("cases", "list", "--" + Marker, "-o", "json");

        ErrorJson(badValue, 1, "BAD_INPUT");
        ErrorJson(badDate, 1, "BAD_INPUT");
        ErrorJson(badTenant, 1, "BAD_INPUT");
        ErrorJson(unknownArgument, 1, "BAD_INPUT");
        Assert.All(new[] { badValue, badDate, badTenant, unknownArgument }, r => Assert.DoesNotContain(Marker, r.Error, StringComparison.OrdinalIgnoreCase));
        Assert.Contains("--purpose", badValue.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("grpc")]
    [InlineData("identity")]
    public async Task Login_to_a_wrong_port_is_an_error_and_saves_no_profile(string wrong)
    {
        var client = await fixture.CreateClientAsync();
        using var cli = new Sharectl(fixture);
        var keyFile = Path.Combine(cli.Home, "client.jwk");
        client.Key.Save(keyFile);
        // Nothing listens on port 1 of this machine: that address goes to the real network and is refused there.
        var closed = "http://127.0.0.1:1/";
        using var transport = new InProcessOrNetwork(fixture.Factory.Server.CreateHandler());

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(
            ["login", "--server", wrong == "grpc" ? closed : PlatformFixture.GrpcAddress.ToString(), "--identity", wrong == "identity" ? closed : PlatformFixture.Issuer.ToString(),
                "--client-id", client.ClientId, "--key-file", keyFile, "--output", "json"],
            stdout, stderr, transport, cli.Home, TestContext.Current.CancellationToken);

        Assert.True(exit == ExitCodes.Unavailable, stderr.ToString());
        Assert.Empty(stdout.ToString());
        Assert.Equal("UNAVAILABLE", JsonNode.Parse(stderr.ToString())!["error"]!["code"]!.GetValue<string>());
        Assert.False(File.Exists(Path.Combine(cli.Home, "profiles.json")));
        await cli.LoginAsync(client);
        Assert.True(File.Exists(Path.Combine(cli.Home, "profiles.json")));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Every_file_sharectl_writes_is_owner_only()
    {
        var client = await fixture.CreateClientAsync();
        using var cli = new Sharectl(fixture);
        await cli.LoginAsync(client);
        await AdminCommandTests.LoginPlatformAdminAsync(cli, fixture);
        string F(string name) => Path.Combine(cli.Home, name);
        var commands = new[]
        {
            new[] { "keys", "new", "--out", F("client.jwk"), "--public-out", F("client.public.jwk") },
            ["keys", "new-linkage-key", "--out", F("linkage.key")],
            ["demo", "data", "--count", "5", "--out", F("demo.csv")],
            ["cases", "push", F("demo.csv"), "--linkage-key-file", F("linkage.key")],
            ["cases", "pull", "--store", F("view.db"), "--out", F("view.jsonl")],
            ["audit", "checkpoint", "--out", F("checkpoint.json"), "--profile", "admin"],
            ["audit", "export", "--out", F("audit.jsonl"), "--profile", "admin"],
        };
        foreach (var command in commands)
        {
            var (exit, _, error) = await cli.RunAsync(command);
            Assert.True(exit == 0, $"{string.Join(' ', command)}: {error}");
        }

        var written = Directory.GetFiles(cli.Home).Where(f => !f.EndsWith("platform-admin.jwk", StringComparison.Ordinal) && !f.Contains("_clients_", StringComparison.Ordinal)).ToList();
        Assert.Superset(
            new HashSet<string> { "profiles.json", "client.jwk", "client.public.jwk", "linkage.key", "demo.csv", "view.db", "view.jsonl", "checkpoint.json", "audit.jsonl" },
            written.Select(Path.GetFileName).ToHashSet()!);
        Assert.All(written, f => Assert.True(File.GetUnixFileMode(f) == OwnerFile, $"{Path.GetFileName(f)}: {File.GetUnixFileMode(f)}"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_profile_directory_is_created_0700_and_a_widened_profile_file_is_narrowed()
    {
        var root = Directory.CreateTempSubdirectory("sharectl-profiles-").FullName;
        try
        {
            var directory = Path.Combine(root, "config", "sharectl");
            var profiles = new Profiles(directory);
            profiles.Save("default", new Profile("http://127.0.0.1:5081/", "http://127.0.0.1:5080/", "tenants/t/clients/c", "/keys/c.jwk", "t"));
            var file = Path.Combine(directory, "profiles.json");
            var created = (File.GetUnixFileMode(directory), File.GetUnixFileMode(file));
            File.SetUnixFileMode(file, OwnerFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

            var loaded = profiles.Get("default");

            Assert.Equal((UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, OwnerFile), created);
            Assert.Equal("t", loaded.Tenant);
            Assert.Equal(OwnerFile, File.GetUnixFileMode(file));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Profiles_live_in_xdg_config_home_else_home_config_never_the_current_directory()
    {
        var root = Directory.CreateTempSubdirectory("sharectl-home-").FullName;
        try
        {
            var (home, xdg, cwd) = (Path.Combine(root, "home"), Path.Combine(root, "xdg"), Path.Combine(root, "cwd"));
            Directory.CreateDirectory(home);
            Directory.CreateDirectory(cwd);

            var withXdg = await RunProcessAsync(cwd, new() { ["HOME"] = home, ["XDG_CONFIG_HOME"] = xdg }, "cases", "list");
            var withoutXdg = await RunProcessAsync(cwd, new() { ["HOME"] = home }, "cases", "list");
            var relativeXdg = await RunProcessAsync(cwd, new() { ["HOME"] = home, ["XDG_CONFIG_HOME"] = "relative" }, "cases", "list");

            Assert.Equal(1, withXdg.Exit);
            Assert.Contains(Path.Combine(xdg, "sharectl", "profiles.json"), withXdg.Error, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(home, ".config", "sharectl", "profiles.json"), withoutXdg.Error, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(home, ".config", "sharectl", "profiles.json"), relativeXdg.Error, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(cwd));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task The_bash_completion_script_is_valid_bash_and_completes_a_subcommand()
    {
        using var cli = new Sharectl(fixture);
        var (exit, script, error) = await cli.RunAsync("completion", "bash");
        Assert.True(exit == 0, error);
        var file = Path.Combine(cli.Home, "sharectl.bash");
        await File.WriteAllTextAsync(file, script, TestContext.Current.CancellationToken);

        var syntax = await RunAsync("bash", ["-n", file]);
        // A real bash sources the script and completes `sharectl cases pu`, with sharectl itself answering each Tab.
        var completed = await RunAsync("bash", ["-c",
            $"sharectl() {{ dotnet '{SharectlDll}' \"$@\"; }}; source '{file}'; COMP_LINE='sharectl cases pu'; COMP_POINT=${{#COMP_LINE}}; "
            + "COMP_WORDS=(sharectl cases pu); COMP_CWORD=2; _sharectl; printf '%s\\n' \"${COMPREPLY[@]}\""]);
        var zsh = await cli.RunAsync("completion", "zsh");
        var fish = await cli.RunAsync("completion", "fish");
        var unknown = await cli.RunAsync("completion", "powershell");

        Assert.True(syntax.Exit == 0, syntax.Error);
        Assert.True(completed.Exit == 0, completed.Error);
        Assert.Equal(["pull", "push"], completed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.Contains("compdef _sharectl sharectl", zsh.Out, StringComparison.Ordinal);
        Assert.Contains("complete -c sharectl", fish.Out, StringComparison.Ordinal);
        Assert.Equal(1, unknown.Exit);
    }

    [Fact]
    public async Task The_pull_summary_tells_own_records_from_those_each_grantor_shares()
    {
        var parties = await SharingParties.CreateAsync(fixture);
        using (var grantor = parties.GrantorSync.Connect())
        {
            await grantor.Cases.PushCasesAsync(Records.Push(parties.GrantorSync, Records.Valid(parties.GrantorSync.CaseName("s-1")), Records.Valid(parties.GrantorSync.CaseName("s-2"))));
        }

        using (var own = parties.Grantee.Connect())
        {
            await own.Cases.PushCasesAsync(Records.Push(parties.Grantee, Records.Valid(parties.Grantee.CaseName("o-1"))));
        }

        await parties.GrantAsync();
        using var cli = new Sharectl(fixture);
        await cli.LoginAsync(parties.Grantee);

        var json = await cli.RunAsync("cases", "pull", "--store", Path.Combine(cli.Home, "view.db"), "-o", "json");
        var text = await cli.RunAsync("cases", "pull", "--store", Path.Combine(cli.Home, "view.db"));

        Assert.True(json.Exit == 0, json.Error);
        var summary = JsonNode.Parse(json.Out)!;
        Assert.Equal(3, summary["held"]!.GetValue<int>());
        Assert.Equal(1, summary["own"]!.GetValue<int>());
        Assert.Equal(2, summary["sharedByGrantor"]![parties.GrantorSync.TenantSlug]!.GetValue<int>());
        Assert.Single(summary["sharedByGrantor"]!.AsObject());
        Assert.Contains($"1 your own, 2 shared by {parties.GrantorSync.TenantSlug}", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tables_name_contract_enums_in_lower_case_without_their_prefix()
    {
        var admin = await fixture.CreateClientAsync(null, "tenant-admin");
        var sync = await fixture.CreateClientAsync(admin.TenantSlug);
        var record = Records.Valid(sync.CaseName("t-1"));
        using (var connection = sync.Connect())
        {
            await connection.Cases.PushCasesAsync(Records.Push(sync, record));
        }

        using var cli = new Sharectl(fixture);
        await cli.LoginAsync(sync);
        await cli.LoginAsync(admin, "admin");
        var status = AdminSupportName(record.Status);

        var get = await cli.RunAsync("cases", "get", "t-1");
        var list = await cli.RunAsync("cases", "list");
        var stats = await cli.RunAsync("cases", "stats", "--by", "status");
        var clients = await cli.RunAsync("clients", "list", "--profile", "admin");

        Assert.All(new[] { get, list, stats }, r =>
        {
            Assert.True(r.Exit == 0, r.Error);
            Assert.Contains(status, r.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("CASE_STATUS_", r.Out, StringComparison.Ordinal);
        });
        Assert.Contains("active", clients.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("CLIENT_STATE", clients.Out, StringComparison.Ordinal);
    }

    /// <summary><c>CASE_STATUS_IN_TRANSIT</c> as a table shows it: <c>in_transit</c>.</summary>
    private static string AdminSupportName(CaseStatus status) =>
        CasesReflection.Descriptor.EnumTypes.Single(e => e.Name == "CaseStatus").FindValueByNumber((int)status).Name["CASE_STATUS_".Length..].ToLowerInvariant();

    [Fact]
    public async Task The_main_commands_show_examples_in_help_and_earlier_option_names_still_work()
    {
        using var cli = new Sharectl(fixture);
        foreach (var command in new[] { new[] { "login" }, ["cases", "push"], ["cases", "pull"], ["agreements", "create"], ["clients", "register"], ["tenants", "create"], ["audit", "verify"], ["keys", "new"] })
        {
            var (exit, output, _) = await cli.RunAsync([.. command, "--help"]);
            Assert.Equal(0, exit);
            Assert.Contains("Examples:", output, StringComparison.Ordinal);
            Assert.Contains("sharectl " + string.Join(' ', command), output, StringComparison.Ordinal);
        }

        var client = await fixture.CreateClientAsync();
        var keyFile = Path.Combine(cli.Home, "old-name.jwk");
        client.Key.Save(keyFile);
        var earlier = await cli.RunAsync("login", "--server", PlatformFixture.GrpcAddress.ToString(), "--identity", PlatformFixture.Issuer.ToString(), "--client-id", client.ClientId, "--key", keyFile);
        Assert.True(earlier.Exit == 0, earlier.Error);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SharingPlatform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root was not found above " + AppContext.BaseDirectory);
    }

    private static Task<(int Exit, string Out, string Error)> RunProcessAsync(string workingDirectory, Dictionary<string, string> environment, params string[] args) =>
        RunAsync("dotnet", [SharectlDll, .. args], workingDirectory, environment);

    private static async Task<(int Exit, string Out, string Error)> RunAsync(string program, string[] args, string? workingDirectory = null, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (environment is not null)
        {
            // Only what the test names, plus what dotnet itself needs to run.
            var keep = new[] { "PATH", "DOTNET_ROOT", "DOTNET_CLI_HOME", "NUGET_PACKAGES" };
            foreach (var name in start.Environment.Keys.Except(keep).ToList())
            {
                start.Environment.Remove(name);
            }

            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>The fixture's addresses go to the in-process server; any other goes out on the real network (where port 1 refuses).</summary>
    private sealed class InProcessOrNetwork(HttpMessageHandler inProcess) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _local = new(inProcess, disposeHandler: true);
        private readonly HttpMessageInvoker _network = new(new SocketsHttpHandler(), disposeHandler: true);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            (request.RequestUri!.Host == PlatformFixture.GrpcAddress.Host && request.RequestUri.Port == PlatformFixture.GrpcAddress.Port ? _local : _network)
                .SendAsync(request, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _local.Dispose();
                _network.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
