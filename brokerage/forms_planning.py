"""Forms for the officer's Backlog (batch allocation) and Simulator pages."""

from __future__ import annotations

from django import forms

from brokerage.allocation.inputs import Urgency
from brokerage.allocation.policies import PolicyKind
from brokerage.forms import GdsForm
from brokerage.simulator import Scenario

_NUMBER = {"inputmode": "numeric", "class": "govuk-input--width-5"}


class BatchProposeForm(GdsForm):
    submit_label = "Propose a batch allocation"
    fairness_weight = forms.IntegerField(
        label="Fairness weight",
        help_text=(
            "0 ranks alone. With weight w, a provider's k-th package of the batch costs w x (2k - 1) tenths of "
            "a mile, so work spreads when the nearer provider already has many. For example, 10."
        ),
        min_value=0,
        max_value=10_000,
        initial=10,
        widget=forms.TextInput(attrs=_NUMBER),
    )


class ScenarioForm(GdsForm):
    submit_label = "Run the simulation"
    name = forms.CharField(label="Scenario name", max_length=100)
    policy = forms.ChoiceField(
        label="Allocation policy",
        choices=[
            (PolicyKind.RANKED_DPS.value, "Ranked DPS"),
            (PolicyKind.SEQUENTIAL_CASCADE.value, "Sequential cascade"),
            (PolicyKind.LEAD_PROVIDER_FIRST.value, "Lead provider first"),
        ],
        widget=forms.RadioSelect,
        initial=PolicyKind.RANKED_DPS.value,
    )
    hospital_discharge_hours = forms.FloatField(
        label="Hospital discharge: response window (hours)", min_value=0.25, max_value=720, initial=24
    )
    urgent_hours = forms.FloatField(label="Urgent: response window (hours)", min_value=0.25, max_value=720, initial=24)
    routine_hours = forms.FloatField(
        label="Routine: response window (hours)", min_value=0.25, max_value=720, initial=24
    )
    offers_per_round = forms.IntegerField(
        label="Offers per round (leave blank for every eligible provider)", min_value=1, max_value=500, required=False
    )
    rota_fit = forms.BooleanField(label="Measure locality by rota fit instead of office distance", required=False)
    batch = forms.BooleanField(label="Batch-allocate the unplaced backlog every 4 hours", required=False)
    capacity_factor = forms.FloatField(
        label="Provider capacity (1 = as declared)", min_value=0, max_value=10, initial=1
    )
    days = forms.IntegerField(label="Days to simulate", min_value=1, max_value=366, initial=365)
    seed = forms.IntegerField(label="Seed", min_value=0, max_value=2**31 - 1, initial=14)
    demand = forms.ChoiceField(
        label="Demand",
        choices=[
            ("generated", "Generated at Leeds scale (about 10,000 a year)"),
            ("history", "This council's history"),
        ],
        widget=forms.RadioSelect,
        initial="generated",
    )

    def scenario(self) -> Scenario:
        data = self.cleaned_data
        return Scenario(
            name=data["name"],
            policy=PolicyKind(data["policy"]),
            windows_hours={
                Urgency.HOSPITAL_DISCHARGE: data["hospital_discharge_hours"],
                Urgency.URGENT: data["urgent_hours"],
                Urgency.ROUTINE: data["routine_hours"],
            },
            offers_per_round=data["offers_per_round"],
            rota_fit=data["rota_fit"],
            batch=data["batch"],
            batch_every_hours=4.0,
            capacity_factor=data["capacity_factor"],
        )
