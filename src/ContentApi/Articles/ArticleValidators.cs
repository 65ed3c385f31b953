using ContentApi.Infrastructure.Http;
using FluentValidation;

namespace ContentApi.Articles;

internal sealed class ListArticlesQueryValidator : AbstractValidator<ListArticlesQuery>
{
    public ListArticlesQueryValidator(PagedQueryValidator paging)
    {
        Include(paging);
    }
}
