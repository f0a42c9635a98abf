from django.contrib import messages
from django.shortcuts import redirect, render

from accounts import actions
from accounts.forms import DisplayNameForm
from accounts.names import person_name
from accounts.signin import signin_required


@signin_required
def account_name(request):
    """The name other people see, editable at any time."""
    if request.method == "POST":
        form = DisplayNameForm(request.POST)
        if form.is_valid():
            actions.set_display_name(request.user, form.cleaned_data["display_name"])
            messages.success(request, "Your name is saved.")
            return redirect("accounts:name")
        status = 400
    else:
        form = DisplayNameForm(initial={"display_name": person_name(request.user)})
        status = 200
    return render(request, "accounts/name.html", {"form": form}, status=status)
