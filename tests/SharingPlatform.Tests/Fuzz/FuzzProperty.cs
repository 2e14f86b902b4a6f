using System.Diagnostics;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace SharingPlatform.Tests.Fuzz;

/// <summary>
/// Runs a fuzz property: each case is checked by a function that says what broke (null when nothing did); an
/// exception counts as broken. A failure names the property, what broke (an exception by its type and the project
/// frame that threw, never its message), the seed, and a file under <c>fuzz-failures/</c> in the test output that
/// holds the failing input. The input itself is never printed: generated text can look like an identifier.
/// </summary>
public static class FuzzProperty
{
    /// <summary>An in-process property, run and shrunk by FsCheck: the kept input is the smallest that still fails.</summary>
    /// <param name="tally">What the cases were, for the report (e.g. how many were accepted), so that a property that
    /// only ever meets one kind of input shows it.</param>
    public static void Check<T>(string property, int cases, Gen<T> inputs, Func<T, IEnumerable<T>> shrink, Func<T, byte[]> keep, Func<T, string?> broken,
        Func<T, string>? tally = null)
    {
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var seed = FuzzBudget.Seed();
        var ran = 0;
        (T Input, string Why)? last = null;
        var arbitrary = Arb.From(inputs.Select(i => new Case<T>(i)), c => shrink(c.Input).Select(i => new Case<T>(i)));
        var config = Config.QuickThrowOnFailure.WithMaxTest(cases)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None)));
        var clock = Stopwatch.StartNew();
        try
        {
            FsCheck.Check.One(config, Prop.ForAll(arbitrary, c =>
            {
                ran++;
                var why = Judge(() => broken(c.Input));
                if (tally is not null && why is null)
                {
                    var kind = tally(c.Input);
                    kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
                }

                if (why is not null)
                {
                    // FsCheck tries smaller inputs after a failure; the last one that fails is the one it settles on.
                    last = (c.Input, why);
                }

                return why is null;
            }));
        }
        catch (Exception) when (last is { } failure)
        {
            Assert.Fail($"{property}: {failure.Why}; the smallest failing input is in {Keep(property, seed, keep(failure.Input))} (seed {seed}).");
        }

        FuzzBudget.Report(property, ran, seed, clock.Elapsed, kinds);
    }

    /// <summary>A property through the real host: case i is drawn from seed + i, so one failing case replays alone.</summary>
    /// <param name="broken">What is wrong with the answer to a case, or null; and what kind of case it was, for the report.</param>
    public static async Task CheckAsync<T>(string property, int cases, Gen<T> inputs, Func<T, byte[]> keep, Func<T, Task<(string? Why, string Kind)>> broken)
    {
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var seed = FuzzBudget.Seed();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < cases; i++)
        {
            var input = Gen.Sample(inputs, 1, new Rnd(unchecked(seed + (ulong)i)), 50)[0];
            string? why;
            try
            {
                (why, var kind) = await broken(input);
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            }
            catch (Exception e)
            {
                why = Threw(e);
            }

            if (why is not null)
            {
                Assert.Fail($"{property}: case {i}: {why}; its input is in {Keep(property, seed, keep(input))} (seed {seed}).");
            }
        }

        FuzzBudget.Report(property, cases, seed, clock.Elapsed, kinds);
    }

    /// <summary>What an unexpected exception says without its message (which may hold a value): its type and where.</summary>
    public static string Threw(Exception e)
    {
        var frame = new StackTrace(e).GetFrames().Select(f => f.GetMethod()).FirstOrDefault(m =>
            m?.DeclaringType?.Namespace is { } ns && ns.StartsWith("SharingPlatform", StringComparison.Ordinal) && !ns.StartsWith("SharingPlatform.Tests", StringComparison.Ordinal));
        return $"threw {e.GetType().FullName}" + (frame is null ? "" : $" in {frame.DeclaringType!.Name}.{frame.Name}");
    }

    private static string? Judge(Func<string?> broken)
    {
        try
        {
            return broken();
        }
        catch (Exception e)
        {
            return Threw(e);
        }
    }

    private static string Keep(string property, ulong seed, byte[] input)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "fuzz-failures");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{property}-{seed}.bin"));
        File.WriteAllBytes(path, input);
        return path;
    }

    /// <summary>An input as FsCheck prints it: never by its content.</summary>
    private sealed record Case<T>(T Input)
    {
        public override string ToString() => "an input kept in fuzz-failures/";
    }
}
