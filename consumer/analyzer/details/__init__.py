"""The debt-collection details of a call, by rule: who answered, the promise, distress, conduct.

``add_details`` fills the ``InsightDetails`` fields of an analysis that already has the five core
fields (from ``consumer.analyzer.rules.analyze_text``):

- speaker turns are split on the ORIGINAL text, so every quote keeps the words as spoken;
- ``contact_status`` from what the person who answered says (wrong number, relative, colleague);
- ``promise_to_pay`` from the customer's turns only, amounts and dates by
  ``consumer.analyzer.text.money`` and ``consumer.analyzer.text.dates``;
- ``distress`` from the customer's words (self-harm, medical emergency, bereavement, job loss);
- ``compliance_flags`` from the agent's turns only (threats, abuse, third-party disclosure, no
  identification, disclosure before verification); ``outside_calling_hours`` is left to
  ``enrich.finish``, which knows the call time;
- ``hardship_reason`` / ``dispute_reason``, ``callback_at`` and per-field ``confidence``.

Pure and deterministic given ``call_started_at`` (without one, relative dates are anchored at now).

Modules: ``lexicons`` (the phrase lists, data), ``call`` (a transcript's turns and each speaker's
side, read once), ``conduct`` (contact status and compliance flags), ``promise`` (the promise to
pay), ``fields`` (distress, reasons, callback and the entry points).
"""

from consumer.analyzer.details.call import Turn, split_turns
from consumer.analyzer.details.conduct import rules_contact
from consumer.analyzer.details.fields import DETAIL_STEPS, Details, add_details, detail_fields

__all__ = ["DETAIL_STEPS", "Details", "Turn", "add_details", "detail_fields", "rules_contact", "split_turns"]
