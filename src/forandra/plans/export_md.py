"""A plan version as Markdown: a heading per part and per step, tables as GitHub-flavoured pipe
tables. The group's own text is kept as written (it may hold Markdown of its own); what goes
into a table cell has its pipes escaped and its line breaks joined, so a cell cannot break the
table."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from .document import InitiativeDoc, PlanDocument, amount, day, percent, score


def cell(text: str) -> str:
    """Text that is safe inside a pipe table's cell."""
    text = " ".join(text.replace("\\", "\\\\").split())
    return text.replace("|", "\\|") or " "


def inline(text: str) -> str:
    """Text on one line (a heading or a list item): line breaks become spaces."""
    return " ".join(text.split())


def table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """A pipe table; `numeric` columns are right-aligned."""
    lines = [
        "| " + " | ".join(cell(value) for value in header) + " |",
        "| "
        + " | ".join("---:" if index in numeric else "---" for index in range(len(header)))
        + " |",
    ]
    lines.extend("| " + " | ".join(cell(value) for value in row) + " |" for row in rows)
    return "\n".join(lines)


def _block(text: str, empty: str) -> str:
    text = text.replace("\r\n", "\n").strip()
    return text if text else f"*{empty}*"


def _initiative(number: int, item: InitiativeDoc) -> list[str]:
    facts = [
        (_("Owner"), item.owner or "–"),
        (_("Start"), day(item.start) or "–"),
        (_("End"), day(item.end) or "–"),
        (_("First step"), item.first_step),
        (_("Benefit for residents"), item.citizen_benefit),
        (_("Waves"), ", ".join(item.waves)),
        (_("Capabilities"), ", ".join(item.capabilities)),
        (_("Collaborating municipalities"), ", ".join(item.partners)),
        (
            _("Budget (SEK)"),
            _("%(total)s in all: %(parts)s")
            % {
                "total": amount(item.budget_total),
                "parts": ", ".join(f"{p.label.lower()} {amount(p.amount)}" for p in item.budget),
            },
        ),
    ]
    out = [f"### {number}. {inline(item.title)}", ""]
    out += [f"- **{label}:** {inline(value)}" for label, value in facts if value]
    if item.description.strip():
        out += ["", item.description.replace("\r\n", "\n").strip()]
    return [*out, ""]


def to_markdown(doc: PlanDocument) -> str:
    """The plan version as a Markdown text, in the active language."""
    plan, version, budget = doc.plan, doc.version, doc.budget
    not_written = _("Not written yet.")
    out = [
        f"# {inline(plan.title)}",
        "",
        _("Transformation plan of %(municipality)s, %(period)s")
        % {"municipality": doc.municipality.name, "period": doc.period},
        "",
        f"- **{_('Municipality')}:** {doc.municipality.name}",
        f"- **{_('Period')}:** {doc.period}",
        f"- **{_('Version')}:** {version.number}",
        f"- **{_('Status')}:** {doc.status}",
    ]
    if version.submitted_at:
        out.append(f"- **{_('Submitted')}:** {day(version.submitted_at.date())}")
    out.append(f"- **{_('Document created')}:** {day(doc.generated_at.date())}")
    if doc.is_demo:
        out += ["", f"*{_('Demo data: the plan is made up, to show how Förändra works.')}*"]
    out.append("")

    if doc.decision is not None:
        decision = doc.decision
        out += ["## " + _("Leadership's decision"), ""]
        out.append(f"- **{_('Decision')}:** {decision.outcome}")
        out.append(f"- **{_('Date of decision')}:** {day(decision.decided_on)}")
        if decision.decided_by:
            out.append(f"- **{_('Decided by')}:** {decision.decided_by}")
        out += ["", _block(decision.comment, ""), ""]

    out += ["## " + _("The plan along Kotter's eight steps"), ""]
    for section in doc.sections:
        out += [f"### {section.step}. {section.title}", "", _block(section.text, not_written), ""]
    out += [
        f"## {_('Management and leadership')}",
        "",
        _(
            "Kotter: management makes a system work; leadership builds or transforms it. Which "
            "of the two each part of the plan needs:"
        ),
        "",
        _block(doc.leadership_check, not_written),
        "",
    ]

    out += [f"## {_('Capabilities to develop')}", ""]
    if doc.capabilities:
        out.append(
            table(
                [_("Capability"), _("Current score"), _("Target score"), _("Built by")],
                [
                    [
                        c.name,
                        score(c.current_score),
                        score(c.target_score),
                        ", ".join(c.initiatives) or "–",
                    ]
                    for c in doc.capabilities
                ],
                numeric=(1, 2),
            )
        )
        out += [""] + [
            f"- **{inline(c.name)}:** {inline(c.note)}" for c in doc.capabilities if c.note
        ]
    else:
        out.append(_("No capabilities have been named yet."))
    out.append("")

    out += [f"## {_('Initiatives')}", ""]
    if doc.initiatives:
        kinds = [part.label for part in doc.initiatives[0].budget]
        out += [
            table(
                [_("Initiative"), _("Owner"), *kinds],
                [
                    [
                        f"{number}. {item.title}",
                        item.owner or "–",
                        *(amount(part.amount) for part in item.budget),
                    ]
                    for number, item in enumerate(doc.initiatives, start=1)
                ],
                numeric=(2, 3, 4),
            ),
            "",
        ]
        for number, item in enumerate(doc.initiatives, start=1):
            out += _initiative(number, item)
    else:
        out += [_("No initiatives have been added yet."), ""]

    out += [
        f"## {_('Budget')}",
        "",
        _("Amounts in SEK. Innovation is its own line, as the plan budgets for it explicitly."),
        "",
        table(
            [_("Kind"), *(str(year) for year in budget.years), _("Total")],
            [
                *(
                    [row.label, *(amount(v) for v in row.amounts), amount(row.total)]
                    for row in budget.rows
                ),
                [
                    f"**{_('Total')}**",
                    *(f"**{amount(v)}**" for v in budget.year_totals),
                    f"**{amount(budget.total)}**",
                ],
            ],
            numeric=tuple(range(1, len(budget.years) + 2)),
        ),
        "",
        _("Innovation's share of the budget: %(share)s.")
        % {"share": percent(budget.innovation_share)},
        "",
    ]

    out += [f"## {_('Roadmap')}", ""]
    numbered = list(enumerate(doc.initiatives, start=1))
    rows = []
    for number, item in numbered:
        quarters = doc.quarters_of(item)
        if quarters is not None:
            rows.append([f"{number}. {item.title}", *quarters])
    if rows:
        out += [table([_("Initiative"), _("From"), _("To")], rows), ""]
    else:
        out += [_("No initiative has a start date within the plan's years yet."), ""]
    unplaced = [f"{n}. {inline(item.title)}" for n, item in numbered if item.span.first is None]
    if unplaced:
        label = _("Not on the roadmap (no start date, or outside the plan's years)")
        out += [f"**{label}:** " + "; ".join(unplaced), ""]
    return "\n".join(out).rstrip() + "\n"
