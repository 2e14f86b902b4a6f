using System.Linq.Expressions;
using System.Runtime.CompilerServices;

namespace SharingPlatform.Server.Sharing;

/// <summary>Combines the policy's expressions so that EF Core still translates them: one parameter throughout.</summary>
public static class PolicyExpressions
{
    public static Expression<Func<T, bool>> And<T>(Expression<Func<T, bool>> left, Expression<Func<T, bool>> right) =>
        Expression.Lambda<Func<T, bool>>(Expression.AndAlso(left.Body, Inline(right, left.Parameters[0])), left.Parameters);

    public static Expression<Func<T, bool>> Or<T>(Expression<Func<T, bool>> left, Expression<Func<T, bool>> right) =>
        Expression.Lambda<Func<T, bool>>(Expression.OrElse(left.Body, Inline(right, left.Parameters[0])), left.Parameters);

    /// <summary>The body of <paramref name="lambda"/> with its parameter replaced by <paramref name="argument"/>.</summary>
    public static Expression Inline(LambdaExpression lambda, Expression argument) =>
        new Replace(lambda.Parameters[0], argument).Visit(lambda.Body);

    /// <summary>Fixes the second and third parameters; boxed, so that EF Core sends them as query parameters.</summary>
    public static Expression<Func<T, bool>> Bind<T, T2, T3>(Expression<Func<T, T2, T3, bool>> lambda, T2 second, T3 third)
    {
        var body = new Replace(lambda.Parameters[1], Parameter(second)).Visit(lambda.Body);
        body = new Replace(lambda.Parameters[2], Parameter(third)).Visit(body);
        return Expression.Lambda<Func<T, bool>>(body, lambda.Parameters[0]);
    }

    /// <summary>A value EF Core sends as a query parameter, not as a constant in the SQL (which would compile and cache
    /// one query per value).</summary>
    public static MemberExpression Parameter<TValue>(TValue value) =>
        Expression.Field(Expression.Constant(new StrongBox<TValue>(value)), nameof(StrongBox<TValue>.Value));

    private sealed class Replace(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
