using ContentApi.Entities;
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

internal sealed class EventWriteValidator : AbstractValidator<EventWrite>
{
    public EventWriteValidator()
    {
        EntityRules.NameAndSlug(this, e => e.Name, e => e.Slug);
        RuleFor(e => e.StartDate).NotEqual(default(DateOnly)).WithMessage("'startDate' is required (yyyy-MM-dd).");
        RuleFor(e => e.EndDate).NotEqual(default(DateOnly)).WithMessage("'endDate' is required (yyyy-MM-dd).")
            .GreaterThanOrEqualTo(e => e.StartDate).WithMessage("'endDate' must not be before 'startDate'.");
        RuleFor(e => e.Description).CleanTextUpTo("description", EntityLimits.Description);
        RuleFor(e => e.Venue).CleanTextUpTo("venue", EntityLimits.Name);
        RuleFor(e => e.City).CleanTextUpTo("city", EntityLimits.City);
        RuleFor(e => e.Country).Country();
        RuleFor(e => e.Place).Reference("place");
    }
}
