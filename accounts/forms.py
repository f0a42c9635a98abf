from django import forms

from accounts import actions

NAME_HELP = "How other people see you on bzpeer: in invitations, claims and notifications."
NAME_MISSING = "Write the name you want other people to see."


def name_field() -> forms.CharField:
    return forms.CharField(
        label="Your name",
        max_length=100,
        help_text=NAME_HELP,
        error_messages={"required": NAME_MISSING},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


def clean_name(value: str) -> str:
    name = actions.tidy_name(value)
    if not name:
        raise forms.ValidationError(NAME_MISSING)
    return name


class SignupForm(forms.Form):
    """Fields allauth adds to its sign-up form (``ACCOUNT_SIGNUP_FORM_CLASS``)."""

    display_name = name_field()

    field_order = ["display_name", "email", "password1", "password2"]

    def clean_display_name(self) -> str:
        return clean_name(self.cleaned_data["display_name"])

    def signup(self, request, user) -> None:
        actions.set_display_name(user, self.cleaned_data["display_name"])


class DisplayNameForm(forms.Form):
    display_name = name_field()

    def clean_display_name(self) -> str:
        return clean_name(self.cleaned_data["display_name"])
