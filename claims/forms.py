import re

from django import forms

from claims.identity import MAX_INTEREST_LENGTH, MAX_INTERESTS, MAX_NAME_LENGTH
from claims.models import Claim

LINK_ROWS = 3


class ClaimForm(forms.Form):
    """Every error names its field, so the summary at the top of the form reads on its own."""

    evidence = forms.ChoiceField(
        choices=Claim.Evidence.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose your evidence: ORCID sign-in, institutional email or other "
            "evidence.",
            "invalid_choice": "Choose your evidence from the three options.",
        },
    )
    institutional_email = forms.EmailField(
        required=False,
        label="Institutional address",
        help_text="An address at this record's institution.",
        error_messages={"invalid": "Institutional address: enter a whole address, name@domain."},
    )
    note = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why this record is yours (for staff review).",
    )
    link_1 = forms.URLField(required=False, assume_scheme="https", label="Link 1")
    link_2 = forms.URLField(required=False, assume_scheme="https", label="Link 2")
    link_3 = forms.URLField(required=False, assume_scheme="https", label="Link 3")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, LINK_ROWS + 1):
            self.fields[f"link_{i}"].error_messages["invalid"] = (
                f"Link {i}: enter a web address, like https://example.org/about-me."
            )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        evidence = data.get("evidence")
        email_missing = not data.get("institutional_email") and (
            "institutional_email" not in self.errors
        )
        if evidence == Claim.Evidence.EMAIL and email_missing:
            self.add_error(
                "institutional_email",
                "Institutional address: give your address at the institution, where we "
                "send the confirmation link.",
            )
        if evidence == Claim.Evidence.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", "Note: say why this record is yours; staff read it.")
        return data

    def links(self) -> list[dict]:
        return [
            {"label": "", "url": self.cleaned_data[f"link_{i}"]}
            for i in range(1, LINK_ROWS + 1)
            if self.cleaned_data.get(f"link_{i}")
        ]


class DecisionForm(forms.Form):
    reason = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RecordEditForm(forms.Form):
    """The owner's edit form. Values are checked by ``claims.identity.edit_record``; the form
    only turns the posted fields into its changes."""

    display_name = forms.CharField(
        required=False,
        max_length=MAX_NAME_LENGTH,
        label="Name shown on your record",
        help_text="How your name appears as the heading of your profile.",
    )
    shown_name_variants = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Name variants shown",
        help_text="Other names your works were published under; untick those not to show.",
    )
    research_interests = forms.CharField(
        required=False,
        max_length=MAX_INTERESTS * (MAX_INTEREST_LENGTH + 2),
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Research interests",
        help_text=f"Keywords, separated by commas or new lines; at most {MAX_INTERESTS}.",
    )
    summary = forms.CharField(required=False, max_length=280, label="Summary line")
    open_to_collaborate = forms.BooleanField(required=False, label="Open to collaborate")

    def __init__(self, *args, researcher, **kwargs):
        super().__init__(*args, **kwargs)
        self.researcher = researcher
        # The record's own name is its heading, not a variant to show or hide.
        self.variants = [
            name
            for name in dict.fromkeys(researcher.display_name_alternatives or [])
            if name and name != researcher.display_name
        ]
        if self.variants:
            shown = self.fields["shown_name_variants"]
            assert isinstance(shown, forms.MultipleChoiceField)
            shown.choices = [(name, name) for name in self.variants]
        else:
            del self.fields["shown_name_variants"]
        for i in range(1, LINK_ROWS + 2):
            self.fields[f"link_label_{i}"] = forms.CharField(
                required=False, max_length=100, label=f"Link {i} label"
            )
            self.fields[f"link_url_{i}"] = forms.URLField(
                required=False, max_length=500, assume_scheme="https", label=f"Link {i} address"
            )

    @staticmethod
    def initial_for(researcher) -> dict:
        initial = {
            "display_name": researcher.display_name,
            "shown_name_variants": researcher.shown_name_variants,
            "research_interests": ", ".join(researcher.research_interests or []),
            "summary": researcher.summary,
            "open_to_collaborate": researcher.open_to_collaborate,
        }
        for i, link in enumerate(researcher.links or [], start=1):
            initial[f"link_label_{i}"] = link.get("label", "")
            initial[f"link_url_{i}"] = link.get("url", "")
        return initial

    def links(self) -> list[dict]:
        return [
            {
                "label": self.cleaned_data[f"link_label_{i}"],
                "url": self.cleaned_data[f"link_url_{i}"],
            }
            for i in range(1, LINK_ROWS + 2)
            if self.cleaned_data.get(f"link_url_{i}")
        ]

    def changes(self) -> dict:
        """What to save. The page always posts the name; a post without it (an older form, a
        script changing the summary) leaves the name, its variants and the interests alone,
        as unticked boxes and an empty list cannot be told from fields not sent."""
        data = self.cleaned_data
        changes = {
            "summary": data["summary"],
            "open_to_collaborate": data["open_to_collaborate"],
            "links": self.links(),
        }
        if "display_name" in self.data:
            shown = set(data.get("shown_name_variants") or [])
            # A hidden variant this form does not list (the heading's own name) stays hidden,
            # while the record still has it.
            known = set(self.researcher.display_name_alternatives or []) - set(self.variants)
            kept = [n for n in self.researcher.hidden_name_variants or [] if n in known]
            changes["display_name"] = data["display_name"]
            changes["hidden_name_variants"] = kept + [n for n in self.variants if n not in shown]
            changes["research_interests"] = re.split(r"[,\n]", data["research_interests"])
        return changes


class InvitationForm(forms.Form):
    subject = forms.CharField(max_length=200)
    message = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
