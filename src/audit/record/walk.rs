//! Walking a record's values for raw identifiers, along a field's path and below it.

use crate::audit::catalog::Step;
use crate::audit::pii;
use serde_json::Value;
use std::borrow::Cow;

/// One step of a pointer being walked (built into a string only for a finding).
pub(super) enum Seg<'v> {
    Key(&'v str),
    Index(usize),
}

/// Every string at `path` below `value` (and inside what is found there) that looks like
/// a raw identifier, with its JSON pointer relative to `value`. Clean values allocate
/// nothing.
pub(super) fn pii_at<'v>(
    value: &'v Value,
    path: &[Step],
    look: pii::Look,
    stack: &mut Vec<Seg<'v>>,
    out: &mut Vec<Found<'v>>,
) {
    let Some((step, rest)) = path.split_first() else {
        return pii_below(value, look, stack, out);
    };
    match (step, value) {
        (Step::Key(key), Value::Object(map)) => {
            if let Some((key, child)) = map.get_key_value(key) {
                stack.push(Seg::Key(key));
                pii_at(child, rest, look, stack, out);
                stack.pop();
            }
        }
        (Step::AnyKey, Value::Object(map)) => {
            for (key, child) in map {
                stack.push(Seg::Key(key));
                pii_at(child, rest, look, stack, out);
                stack.pop();
            }
        }
        (Step::AnyItem, Value::Array(items)) => {
            for (i, child) in items.iter().enumerate() {
                stack.push(Seg::Index(i));
                pii_at(child, rest, look, stack, out);
                stack.pop();
            }
        }
        (Step::Item(i), Value::Array(items)) => {
            if let Some(child) = items.get(*i) {
                stack.push(Seg::Index(*i));
                pii_at(child, rest, look, stack, out);
                stack.pop();
            }
        }
        _ => {}
    }
}

/// A value that looks like personal data: its pointer, the value (a pair of coordinates is
/// written out), and what it looks like.
pub(super) type Found<'v> = (String, Cow<'v, str>, pii::Pii);

pub(super) fn pii_below<'v>(
    value: &'v Value,
    look: pii::Look,
    stack: &mut Vec<Seg<'v>>,
    out: &mut Vec<Found<'v>>,
) {
    let pointer = |stack: &[Seg<'_>]| -> String {
        stack
            .iter()
            .map(|seg| match seg {
                Seg::Key(k) => format!("/{}", crate::load::pointer::escape(k)),
                Seg::Index(i) => format!("/{i}"),
            })
            .collect()
    };
    match value {
        Value::String(s) => {
            if let Some(kind) = pii::detect_as(s, look) {
                out.push((pointer(stack), s.as_str().into(), kind));
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                stack.push(Seg::Index(i));
                pii_below(child, look, stack, out);
                stack.pop();
            }
        }
        Value::Object(map) => {
            // `{"lat": 47.62051, "lon": -122.3493}`: a position, written as numbers.
            let number = |keys: &[&str]| {
                keys.iter().find_map(|k| {
                    map.get(*k)
                        .and_then(Value::as_number)
                        .map(ToString::to_string)
                })
            };
            if let (Some(lat), Some(lon)) = (
                number(&["lat", "latitude"]),
                number(&["lon", "lng", "long", "longitude"]),
            ) && pii::precise_pair(&lat, &lon)
            {
                out.push((
                    pointer(stack),
                    format!("{lat},{lon}").into(),
                    pii::Pii::Coordinates,
                ));
            }
            for (key, child) in map {
                stack.push(Seg::Key(key));
                pii_below(child, look, stack, out);
                stack.pop();
            }
        }
        _ => {}
    }
}
