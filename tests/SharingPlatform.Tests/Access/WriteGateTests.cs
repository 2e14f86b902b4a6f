extern alias server;

using server::SharingPlatform.Server.Data;

namespace SharingPlatform.Tests.Access;

/// <summary>The SQLite write gate: one holder, waiters in arrival order with audit appends first, and a waiter that
/// gives up never keeps or loses the turn.</summary>
public sealed class WriteGateTests
{
    [Fact]
    public async Task Waiters_get_the_turn_one_at_a_time_urgent_ones_first_then_in_arrival_order()
    {
        var gate = WriteGate.For("test-" + Guid.NewGuid());
        var order = new List<string>();
        var holder = await gate.EnterAsync(urgent: false, CancellationToken.None);

        Task Wait(string name, bool urgent) => Task.Run(async () =>
        {
            using (await gate.EnterAsync(urgent, CancellationToken.None))
            {
                lock (order)
                {
                    order.Add(name);
                }
            }
        });

        var first = Wait("push 1", urgent: false);
        await Until(() => Queued(gate) == 1);
        var second = Wait("push 2", urgent: false);
        await Until(() => Queued(gate) == 2);
        var audit = Wait("audit", urgent: true);
        await Until(() => Queued(gate) == 3);
        Assert.Empty(order);

        holder.Dispose();
        await Task.WhenAll(first, second, audit);

        Assert.Equal(["audit", "push 1", "push 2"], order);
        using var free = await gate.EnterAsync(urgent: false, CancellationToken.None); // nobody kept it
    }

    [Fact]
    public async Task A_waiter_that_gives_up_does_not_take_the_turn_from_the_next()
    {
        var gate = WriteGate.For("test-" + Guid.NewGuid());
        var holder = await gate.EnterAsync(urgent: false, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var leaving = gate.EnterAsync(urgent: false, cancel.Token);
        var staying = gate.EnterAsync(urgent: false, CancellationToken.None);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        Assert.False(staying.IsCompleted);
        holder.Dispose();

        using var turn = await staying.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(gate.EnterAsync(urgent: false, CancellationToken.None).IsCompleted);
    }

    private static int Queued(WriteGate gate) => gate.Waiting;

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
