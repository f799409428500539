//! Autojoin domains: `GET /invitations/by-scope/{scopeType}/{scope}/autojoin` and
//! `POST /invitations/autojoin`.

use crate::api::input::{AutojoinInput, parse_object};
use crate::server::{Answer, Call};

/// `GET`: `{"autojoinDomains":[…],"invitation":…}` of the scope.
pub(super) fn get(call: &Call<'_>) -> Answer {
    let (scope_type, scope) = (call.param("scope_type"), call.param("scope"));
    Ok(call
        .shared
        .read(|store| store.autojoin(scope_type, scope))
        .into())
}

/// `POST`: sets (or, with no domains, clears) the autojoin domains of a scope.
pub(super) fn configure(call: &Call<'_>) -> Answer {
    let input = AutojoinInput::parse(&parse_object(call.body)?)?;
    call.shared
        .change(|store| Ok(store.configure_autojoin(&input)))
        .map(Into::into)
}
