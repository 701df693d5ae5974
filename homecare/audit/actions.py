"""Every action the audit trail records: one closed set, one grammar.

Modelled on zulip's ``AuditLogEventType``: a new kind of change gets a member here, so a reader of the
trail (or of a CSV export of it) can list every kind of event and filter on it exactly.

The grammar is ``<entity>.<what happened to it>``: a snake_case entity, then a past-tense verb or
past participle (``membership.suspended``, ``dps_round.opened``, ``cqc_rating.changed``). The entity
names what changed, which is not always the audit row's target model: ``placement_deadline.set``
targets the agreement the deadline belongs to.

Status transitions of packages and offers each have their own member, chosen by
``brokerage.status_actions``. A member is named after the event when every transition into that
status is that event (``package.awarded``, ``package.escalated`` for unplaced, ``offer.expired``).
A package enters brokering on first submission, on each re-brokered round and when imported with
care already running, so no single verb is right there: that one is ``package.moved_to_brokering``.
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    # Care packages (ISAs): their status transitions, then what happens to them in brokering.
    PACKAGE_ENTERED = "package.entered"  # created as a draft, from any route
    PACKAGE_MOVED_TO_BROKERING = "package.moved_to_brokering"
    PACKAGE_ESCALATED = "package.escalated"  # not placed: unplaced, with the Care Communications Centre
    PACKAGE_AWARDED = "package.awarded"
    PACKAGE_CARE_STARTED = "package.care_started"
    PACKAGE_HANDED_BACK = "package.handed_back"
    PACKAGE_ENDED = "package.ended"
    PACKAGE_CANCELLED = "package.cancelled"
    PACKAGE_RANKED = "package.ranked"
    # Batch allocation of the backlog and the policy simulator (brokerage.services.batch / .simulation).
    BATCH_PROPOSAL_REQUESTED = "batch_proposal.requested"
    BATCH_PROPOSAL_SOLVED = "batch_proposal.solved"
    BATCH_LINE_APPROVED = "batch_line.approved"
    SIMULATION_REQUESTED = "simulation.requested"
    SIMULATION_FINISHED = "simulation.finished"
    # Its postcode is not in the ONS lookup: placed at the district's centre, with the officer's reason.
    PACKAGE_LOCATED_BY_DISTRICT = "package.located_by_district"
    # The CCC's working record of a package: a call made or a note; a referral to an officer; a re-brokering
    # round that searched further (more areas, a condition relaxed), with the reason in the event.
    PACKAGE_NOTE_ADDED = "package_note.added"
    PACKAGE_REFERRED = "package.referred"
    PACKAGE_SEARCH_WIDENED = "package_search.widened"
    PACKAGE_AMENDED = "package.amended"  # a draft's or a brokering package's details replaced before award

    # Changes after award (``PackageChange``): one member per status a change moves into; the kind is in data.
    PACKAGE_CHANGE_PROPOSED = "package_change.proposed"  # a variation put to the current provider
    PACKAGE_CHANGE_ACCEPTED = "package_change.accepted"
    PACKAGE_CHANGE_DECLINED = "package_change.declined"
    PACKAGE_CHANGE_EXPIRED = "package_change.expired"
    PACKAGE_CHANGE_REBROKERED = "package_change.rebrokered"
    PACKAGE_CHANGE_REPLACED = "package_change.replaced"  # the re-brokered package's new provider was awarded
    PACKAGE_CHANGE_WITHDRAWN = "package_change.withdrawn"
    PACKAGE_CHANGE_STARTED = "package_change.started"  # a suspension took effect
    PACKAGE_CHANGE_RESUMED = "package_change.resumed"
    PACKAGE_CHANGE_COMPLETED = "package_change.completed"  # an end or a review recorded
    PACKAGE_CHANGE_REQUESTED = "package_change.requested"  # by the provider, for an officer to decide
    PACKAGE_CHANGE_APPROVED = "package_change.approved"
    PACKAGE_CHANGE_REFUSED = "package_change.refused"

    # Package CSV files imported in the background (``PackageImportJob``).
    PACKAGE_IMPORT_QUEUED = "package_import.queued"
    PACKAGE_IMPORT_RESTARTED = "package_import.restarted"  # its worker stopped mid-way: run again from the start
    PACKAGE_IMPORT_FINISHED = "package_import.finished"  # imported or not: the event's data holds the outcome

    # Offers of a package to one provider: sent, then their status transitions.
    OFFER_SENT = "offer.sent"
    OFFER_ACCEPTED = "offer.accepted"
    OFFER_DECLINED = "offer.declined"
    OFFER_EXPIRED = "offer.expired"
    OFFER_WITHDRAWN = "offer.withdrawn"
    OFFER_AWARDED = "offer.awarded"
    OFFER_NOT_SELECTED = "offer.not_selected"

    # The person's details: anonymised by retention, erased on request, exported for a subject access
    # request or in a quarter's CLD return, and moved to the newest encryption key; each retention sweep
    # records its counts.
    PERSON_DETAILS_ANONYMISED = "person_details.anonymised"
    PERSON_DETAILS_ERASED = "person_details.erased"
    PERSON_DETAILS_REENCRYPTED = "person_details.reencrypted"
    RETENTION_SWEEP_FINISHED = "retention_sweep.finished"
    SUBJECT_ACCESS_EXPORTED = "subject_access.exported"
    CLD_RETURN_EXPORTED = "cld_return.exported"

    # Alerts to the Care Communications Centre.
    ALERT_RAISED = "alert.raised"
    ALERT_ACKNOWLEDGED = "alert.acknowledged"

    # Providers' own capacity, and what the council knows about them.
    PROVIDER_CAPACITY_UPDATED = "provider_capacity.updated"
    CQC_REGISTRATION_CHANGED = "cqc_registration.changed"
    CQC_RATING_CHANGED = "cqc_rating.changed"
    CQC_IMPORT_FINISHED = "cqc_import.finished"  # finished or failed: the event's data holds the error
    WARD_AREA_CHANGED = "ward_area.changed"
    DISTRICT_AREA_OVERRIDE_CHANGED = "district_area_override.changed"  # set or removed

    # Agreements (call-off contracts), their lots, members and fee rates.
    AGREEMENT_CREATED = "agreement.created"
    AGREEMENT_UPDATED = "agreement.updated"
    AGREEMENT_EXTENDED = "agreement.extended"
    PLACEMENT_DEADLINE_SET = "placement_deadline.set"
    LOT_CREATED = "lot.created"
    MEMBERSHIP_APPOINTED = "membership.appointed"
    MEMBERSHIP_SUSPENDED = "membership.suspended"
    MEMBERSHIP_REINSTATED = "membership.reinstated"
    MEMBERSHIP_EXITED = "membership.exited"
    FEE_RATE_ADDED = "fee_rate.added"

    # The Dynamic Purchasing System: application rounds and providers' applications to them.
    DPS_ROUNDS_SCHEDULED = "dps_rounds.scheduled"
    DPS_ROUND_RESCHEDULED = "dps_round.rescheduled"
    DPS_ROUND_CANCELLED = "dps_round.cancelled"
    DPS_ROUND_OPENED = "dps_round.opened"
    DPS_ROUND_CLOSED = "dps_round.closed"
    DPS_APPLICATION_STARTED = "dps_application.started"
    DPS_APPLICATION_SAVED = "dps_application.saved"
    DPS_APPLICATION_EVALUATED = "dps_application.evaluated"
    DPS_APPLICATION_SUBMITTED = "dps_application.submitted"
    DPS_APPLICATION_DECIDED = "dps_application.decided"

    # Commissioning before brokerage (the ``commissioning`` app): tenders and their evaluation panels.
    TENDER_CREATED = "tender.created"
    TENDER_SCORING_OPENED = "tender.scoring_opened"
    TENDER_MODERATION_STARTED = "tender.moderation_started"
    TENDER_MODERATED = "tender.moderated"
    TENDER_RECOMMENDED = "tender.recommended"  # ranked, award recommended, standstill started
    TENDER_AWARDED = "tender.awarded"  # the agreement's memberships were created
    BID_RECORDED = "bid.recorded"
    CONFLICT_OF_INTEREST_DECLARED = "conflict_of_interest.declared"
    INDEPENDENT_SCORE_RECORDED = "independent_score.recorded"
    MODERATED_SCORE_AGREED = "moderated_score.agreed"
    EVALUATOR_ADDED = "evaluator.added"  # a panel member named after the tender was created
    # Procurement timetables.
    TIMETABLE_CREATED = "timetable.created"
    TIMETABLE_BASELINED = "timetable.baselined"
    TIMETABLE_TASK_RESCHEDULED = "timetable_task.rescheduled"  # with every dependent it moved
    TIMETABLE_TASK_STATUS_CHANGED = "timetable_task.status_changed"
    TIMETABLE_TASK_REMINDED = "timetable_task.reminded"  # emailed to the timetable's owner before it is due
    # Dynamic markets (Procurement Act 2023).
    DYNAMIC_MARKET_CREATED = "dynamic_market.created"
    MARKET_NOTICE_PUBLISHED = "market_notice.published"
    DEBARMENT_ENTRY_RECORDED = "debarment_entry.recorded"
    MARKET_APPLICATION_SUBMITTED = "market_application.submitted"
    MARKET_APPLICATION_EVALUATED = "market_application.evaluated"
    MARKET_APPLICATION_DECIDED = "market_application.decided"
    # The funding formula.
    FUNDING_MODEL_CREATED = "funding_model.created"
    FUNDING_MODEL_CALCULATED = "funding_model.calculated"
    # The neighbourhood (CHWS) model.
    NEIGHBOURHOOD_AGREEMENT_CREATED = "neighbourhood_agreement.created"
    HOURS_BANK_CREATED = "hours_bank.created"
    HOURS_BANK_USE_RECORDED = "hours_bank_use.recorded"
    REFERRAL_RECEIVED = "referral.received"
    REFERRAL_STARTED = "referral.started"
    TEAM_RECORD_ADDED = "team_record.added"
    OUTCOME_REVIEWED = "outcome.reviewed"
    WORKFORCE_MEASURE_RECORDED = "workforce_measure.recorded"
    CARE_MODEL_CHANGED = "care_model.changed"  # a person moved between time and task and the neighbourhood team

    # Who may see what: access control, sign-in and API tokens (recorded whoever makes the change).
    USER_GROUPS_CHANGED = "user_groups.changed"
    SUPERUSER_GRANTED = "superuser.granted"
    SUPERUSER_REVOKED = "superuser.revoked"
    STAFF_STATUS_GRANTED = "staff_status.granted"
    STAFF_STATUS_REVOKED = "staff_status.revoked"
    PROVIDER_STAFF_LINKED = "provider_staff.linked"
    PROVIDER_STAFF_MOVED = "provider_staff.moved"
    PROVIDER_STAFF_UNLINKED = "provider_staff.unlinked"
    PROVIDER_RENAMED = "provider.renamed"
    PROVIDER_DETAILS_CHANGED = "provider_details.changed"
    API_TOKEN_CREATED = "api_token.created"  # noqa: S105 - an event name, not a secret
    API_TOKEN_REVOKED = "api_token.revoked"  # noqa: S105 - an event name, not a secret
    API_TOKEN_EXPIRED = "api_token.expired"  # noqa: S105 - an event name, not a secret
    ACCOUNT_UNLOCKED = "account.unlocked"
    MFA_ENABLED = "mfa.enabled"
    MFA_DISABLED = "mfa.disabled"
    PASSWORD_CHANGED = "password.changed"  # noqa: S105 - an event name, not a secret
    PASSWORD_RESET = "password.reset"  # noqa: S105 - an event name, not a secret

    # Visits delivered and providers paid (``visits``).
    ACTUAL_VISITS_IMPORTED = "actual_visits.imported"  # an ECM file or API batch; counts in data
    VISIT_IMPORT_QUEUED = "visit_import.queued"  # a large ECM file left to a worker
    VISIT_IMPORT_RESTARTED = "visit_import.restarted"  # its worker stopped: run again from the start
    VISIT_IMPORT_FINISHED = "visit_import.finished"  # imported or not: the event's data holds the outcome
    PAY_RUN_COMPUTED = "pay_run.computed"
    PAY_RUN_APPROVED = "pay_run.approved"
    PAY_DISPUTE_RAISED = "pay_dispute.raised"
    PAY_DISPUTE_RESOLVED = "pay_dispute.resolved"
    CREDIT_NOTE_ISSUED = "credit_note.issued"
    # Outbound webhooks: subscribers set up by officers, their secrets rotated, deliveries sent again by hand.
    WEBHOOK_SUBSCRIBER_CREATED = "webhook_subscriber.created"
    WEBHOOK_SUBSCRIBER_DEACTIVATED = "webhook_subscriber.deactivated"
    WEBHOOK_SECRET_ROTATED = "webhook_secret.rotated"  # noqa: S105 - an event name, not a secret
    WEBHOOK_DELIVERY_REPLAYED = "webhook_delivery.replayed"
