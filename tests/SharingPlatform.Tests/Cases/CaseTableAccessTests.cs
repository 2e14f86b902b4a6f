extern alias server;

using System.Reflection;
using System.Reflection.Emit;
using server::SharingPlatform.Server.Cases;
using server::SharingPlatform.Server.Data;

namespace SharingPlatform.Tests.Cases;

/// <summary>
/// Architecture: the case tables are read and written through <see cref="CaseScope"/> alone, where the sharing policy
/// filters every read. The server's compiled code is decoded instruction by instruction (lambdas and async state
/// machines included); a method elsewhere that touches a case DbSet, <c>Set&lt;T&gt;</c> of a case entity, or names a
/// case table in SQL fails the test, named.
/// </summary>
public sealed class CaseTableAccessTests
{
    private static readonly HashSet<Type> CaseEntities = [typeof(CaseEntity), typeof(CaseRevision), typeof(CaseEventType), typeof(CaseRegion)];
    private static readonly string[] CaseTables = ["\"cases\"", "case_revisions", "case_event_types", "case_regions"];

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    [Fact]
    public void Only_the_case_scope_touches_the_case_tables()
    {
        var offenders = ServerMethods()
            .Where(m => !Allowed(m.DeclaringType!))
            .SelectMany(m => Touches(m).Select(what => $"{Describe(m)} uses {what}"))
            .Distinct()
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void The_scan_sees_the_case_scope_itself_touching_the_tables()
    {
        // The check above can only fail if the decoder finds such uses at all: it must find CaseScope's own.
        var found = ServerMethods().Where(m => Nested(m.DeclaringType!, typeof(CaseScope))).SelectMany(Touches).ToHashSet();

        Assert.Contains("SharingDbContext.get_Cases", found);
        Assert.Contains("SharingDbContext.get_CaseRevisions", found);
    }

    private static IEnumerable<MethodBase> ServerMethods()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        return typeof(CaseScope).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(all).Cast<MethodBase>().Concat(t.GetConstructors(all)))
            .Where(m => m.GetMethodBody() is not null);
    }

    /// <summary>The scope itself, and the data layer (the context, its configurations, migrations).</summary>
    private static bool Allowed(Type type) =>
        Nested(type, typeof(CaseScope))
        || (type.Namespace is { } ns && (ns == typeof(SharingDbContext).Namespace || ns.StartsWith(typeof(SharingDbContext).Namespace + ".", StringComparison.Ordinal)));

    private static bool Nested(Type? type, Type outer)
    {
        for (; type is not null; type = type.DeclaringType)
        {
            if (type == outer)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What of the case tables <paramref name="method"/> touches: DbSet getters, Set&lt;T&gt; calls, SQL text.</summary>
    private static IEnumerable<string> Touches(MethodBase method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray() ?? [];
        var module = method.Module;
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            var value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var opcode = OpCodesByValue[value];
            var operand = i;
            i += OperandSize(opcode.OperandType, il, i);
            if (opcode.OperandType == OperandType.InlineMethod)
            {
                var token = BitConverter.ToInt32(il, operand);
                var called = TryResolve<MethodBase>(() => module.ResolveMethod(token, typeArguments, methodArguments));
                if (called is MethodInfo { Name: "get_Cases" or "get_CaseRevisions" } getter && typeof(SharingDbContext).IsAssignableFrom(getter.DeclaringType))
                {
                    yield return $"SharingDbContext.{getter.Name}";
                }

                if (called is MethodInfo { Name: "Set", IsGenericMethod: true } set && CaseEntities.Contains(set.GetGenericArguments()[0]))
                {
                    yield return $"Set<{set.GetGenericArguments()[0].Name}>";
                }
            }
            else if (opcode.OperandType == OperandType.InlineString)
            {
                var text = TryResolve(() => module.ResolveString(BitConverter.ToInt32(il, operand)));
                foreach (var table in CaseTables.Where(t => text?.Contains(t, StringComparison.Ordinal) == true))
                {
                    yield return $"SQL naming {table}";
                }
            }
        }
    }

    private static int OperandSize(OperandType type, byte[] il, int at) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };

    private static T? TryResolve<T>(Func<T?> resolve) where T : class
    {
        try
        {
            return resolve();
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static string Describe(MethodBase method)
    {
        var type = method.DeclaringType!;
        while (type.DeclaringType is not null && type.Name.Contains('<', StringComparison.Ordinal))
        {
            type = type.DeclaringType; // a lambda's closure or an async state machine: name its owner
        }

        return $"{type.FullName}.{method.Name}";
    }
}
