using ContentApi.Reads;
using FluentValidation;

namespace ContentApi.Events;

internal sealed class ListEventsQueryValidator : AbstractValidator<ListEventsQuery>
{
    public ListEventsQueryValidator(PagedQueryValidator paging)
    {
        Include(paging);
        RuleFor(q => q.To).GreaterThanOrEqualTo(q => q.From)
            .When(q => q.From is not null && q.To is not null)
            .WithMessage("'to' must not be before 'from'.");
    }
}
