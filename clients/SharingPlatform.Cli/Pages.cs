namespace SharingPlatform.Cli;

/// <summary>Every page of a List call, followed by its page tokens, for the commands that show a whole list.</summary>
internal static class Pages
{
    /// <param name="call">Fetches the page at a token ("" for the first).</param>
    /// <param name="items">The resources of a page.</param>
    /// <param name="next">The token of the next page; "" when it was the last (or the call has no pages).</param>
    public static async Task<List<T>> AllAsync<TPage, T>(Func<string, Task<TPage>> call, Func<TPage, IEnumerable<T>> items, Func<TPage, string> next)
    {
        var all = new List<T>();
        var token = "";
        do
        {
            var page = await call(token);
            all.AddRange(items(page));
            token = next(page);
        }
        while (token.Length > 0);

        return all;
    }
}
