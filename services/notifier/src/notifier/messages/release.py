"""Plain sentences that explain a school's budget-release line to a school leader.

The allocation service writes a full explanation per line (weights, shares, rounding
adjustments) for the budget office. These sentences state the same facts in words that a
school leader reads in one pass, and the full explanation stays at the end as details.
"""

from __future__ import annotations

from notifier.messages.render import AllocationLine, AllocationRules, format_count, format_money, format_score

# Prefixes the allocation service starts an explanation with; the message states them itself.
_EXPLANATION_PREFIXES = ("Not eligible: ", "Eligible: ", "Excluded: ")


def plain_explanation(explanation: str | None) -> str:
    """Return the allocation service's explanation without its "Not eligible:" style prefix."""
    text = (explanation or "").strip()
    for prefix in _EXPLANATION_PREFIXES:
        if text.startswith(prefix):
            text = text.removeprefix(prefix)
            return text[:1].upper() + text[1:]
    return text


def _score_rule(rules: AllocationRules | None, *, qualifies: bool) -> str | None:
    """Describe who is eligible as a sentence, or return None when the policy is unknown."""
    if rules is None:
        return None
    if rules.min_score is not None:
        minimum = format_score(rules.min_score)
        if qualifies:
            return f"Schools with a score of {minimum} or higher are eligible, so your school qualifies."
        return f"Schools need a score of {minimum} or higher to be eligible."
    if rules.top_n is not None:
        rule = f"the {format_count(rules.top_n)} highest-scoring schools are eligible"
        if rules.lowest_qualifying_score is not None:
            rule += f", down to a score of {format_score(rules.lowest_qualifying_score)}"
        if qualifies:
            return f"{rule[:1].upper()}{rule[1:]}, so your school qualifies."
        return f"Only {rule}."
    return None


def eligibility_text(line: AllocationLine, rules: AllocationRules | None) -> str:
    """Say how the school's need-index score compares with the eligibility rule."""
    if line.status == "no_score":
        return (
            "This year's need-index scores have no score for your school. New, merging and "
            "closing schools have none, and a school without a score is not eligible."
        )
    if line.score is None:
        return plain_explanation(line.explanation) or "The published allocation gives no reason."

    score = format_score(line.score)
    qualifies = line.eligible or line.status == "no_enrollment"
    rule = _score_rule(rules, qualifies=qualifies)
    if rule:
        return f"Your school's need-index score is {score}. {rule}"
    if qualifies:
        return f"Your school's need-index score of {score} meets this year's eligibility rule."
    return f"Your school's need-index score of {score} does not meet this year's eligibility rule."


def _students(line: AllocationLine, rules: AllocationRules | None) -> str:
    students = f"its {format_count(line.enrollment or 0)} enrolled students"
    if rules is None or rules.weighting == "flat":
        return students
    if rules.weighting == "need_weighted":
        return f"{students}, weighted by its need-index score"
    return f"{students}, weighted by its score band"


def share_text(line: AllocationLine, rules: AllocationRules | None) -> str:
    """Explain how the amount was set: the students it is based on, limits and rounding."""
    if line.status == "zero_weight":
        if line.enrollment == 0:
            return "The enrollment data lists 0 enrolled students for your school, so its share is $0.00."
        return "Your school's weight under this year's policy is 0, so its share is $0.00."

    if rules is None:
        return f"Your school's share depends on {_students(line, rules)}."

    sentences = []
    if rules.mode == "pool":
        pool = f"the {format_money(rules.pool)} pool" if rules.pool is not None else "the pool"
        sentences.append(f"Your school's share of {pool} is based on {_students(line, rules)}.")
    else:
        rate = f" at {format_money(rules.rate)} per pupil" if rules.rate is not None else ""
        sentences.append(f"Your school's amount is based on {_students(line, rules)}{rate}.")

    if line.limit_applied == "floor" and rules.floor is not None:
        sentences.append(
            f"That came to less than the minimum of {format_money(rules.floor)} per funded school, "
            "so your school receives the minimum."
        )
    elif line.limit_applied == "cap" and rules.cap is not None:
        sentences.append(
            f"That came to more than the maximum of {format_money(rules.cap)} per school, "
            "so your school receives the maximum."
        )

    unit = "whole dollars" if rules.rounding == "dollar" else "cents"
    if rules.mode == "pool":
        sentences.append(f"Amounts are rounded to {unit} so that the total equals the pool exactly.")
    else:
        sentences.append(f"Amounts are rounded to {unit}.")
    return " ".join(sentences)
