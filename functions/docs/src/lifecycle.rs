//! The proposal lifecycle as an SVG picture (`GET /docs/lifecycle.svg`, shown in the guide on
//! `/docs`), drawn from the state machine's own table (`domain::proposal::state::transitions`),
//! so the picture cannot say anything the API does not do.
//!
//! Layout: statuses in columns by their longest path from `draft`, in `Status::ALL` order within
//! a column; a transition to the next column is a straight arrow, one that skips columns an arc
//! above (each in its own lane), one back to an earlier column an arc below; arrows are
//! coloured by the role that takes the action.

use std::collections::BTreeMap;
use std::fmt::Write;

use domain::identity::Role;
use domain::proposal::state::transitions;
use domain::proposal::{Action, Status};

const BOX_W: f64 = 130.0;
const BOX_H: f64 = 36.0;
const COL_GAP: f64 = 225.0;
const ROW_GAP: f64 = 70.0;
const MARGIN: f64 = 20.0;
/// Height of the title and legend.
const HEAD: f64 = 60.0;
/// Vertical distance between the arcs of transitions that skip a column.
const LANE: f64 = 22.0;

fn colour(role: Role) -> &'static str {
    match role {
        Role::Igo => "#1f5fa8",
        Role::Insurer => "#b35900",
        Role::Publisher => "#555555",
    }
}

/// Column of each status: the longest path from `draft` over forward transitions.
fn columns(edges: &[(Status, Action, Status)]) -> BTreeMap<usize, usize> {
    let index = |s: Status| Status::ALL.iter().position(|x| *x == s).expect("a status");
    let mut column: BTreeMap<usize, usize> = BTreeMap::from([(index(Status::Draft), 0)]);
    // Relax along edges that do not lead back to a status already placed at or before the
    // source (those are the back arcs); |ALL| rounds reach every longest path.
    for _ in 0..Status::ALL.len() {
        for (from, _, to) in edges {
            let Some(&c) = column.get(&index(*from)) else { continue };
            let reaches_back = column.get(&index(*to)).is_some_and(|&t| t <= c) && is_ancestor(edges, *to, *from);
            if !reaches_back && column.get(&index(*to)).is_none_or(|&t| t < c + 1) {
                column.insert(index(*to), c + 1);
            }
        }
    }
    column
}

/// Whether `to` leads (forward) to `from`: then `from → to` closes a cycle.
fn is_ancestor(edges: &[(Status, Action, Status)], ancestor: Status, of: Status) -> bool {
    let mut seen = vec![ancestor];
    let mut next = vec![ancestor];
    while let Some(s) = next.pop() {
        for (a, _, b) in edges {
            if *a == s && *b != ancestor && !seen.contains(b) {
                if *b == of {
                    return true;
                }
                seen.push(*b);
                next.push(*b);
            }
        }
    }
    false
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The picture, as SVG text.
pub fn svg() -> String {
    let edges = transitions();
    let column = columns(&edges);
    let mut by_column: BTreeMap<usize, Vec<Status>> = BTreeMap::new();
    for (i, status) in Status::ALL.iter().enumerate() {
        let c = *column.get(&i).unwrap_or_else(|| panic!("{} is not reachable from draft", status.as_str()));
        by_column.entry(c).or_default().push(*status);
    }
    let rows = by_column.values().map(Vec::len).max().unwrap_or(1) as f64;
    let col_of = |s: Status| column[&Status::ALL.iter().position(|x| *x == s).expect("a status")];
    let skipping = edges.iter().filter(|(f, _, t)| col_of(*t) > col_of(*f) + 1).count() as f64;
    let top = HEAD + 20.0 + skipping * LANE;
    let height = top + rows * ROW_GAP + 60.0;
    let width = MARGIN * 2.0 + (by_column.len() as f64 - 1.0) * COL_GAP + BOX_W;
    let mut position: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for (c, statuses) in &by_column {
        let offset = (rows - statuses.len() as f64) * ROW_GAP / 2.0;
        for (r, status) in statuses.iter().enumerate() {
            let x = MARGIN + *c as f64 * COL_GAP;
            let y = top + offset + r as f64 * ROW_GAP;
            position.insert(status.as_str(), (x, y));
        }
    }

    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="13" role="img" aria-labelledby="title">
<title id="title">Proposal lifecycle: {n} transitions between {s} statuses</title>
<defs>
<marker id="arrow-igo" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{igo}"/></marker>
<marker id="arrow-insurer" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{insurer}"/></marker>
</defs>
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="{MARGIN}" y="24" font-size="16" font-weight="bold">Proposal lifecycle (POST /v1/proposals/{{id}}/transitions)</text>
<text x="{MARGIN}" y="46" font-size="14"><tspan fill="{igo}">━ igo</tspan>   <tspan fill="{insurer}">━ insurer</tspan>   takes the action; double border: final</text>
"##,
        n = edges.len(),
        s = Status::ALL.len(),
        igo = colour(Role::Igo),
        insurer = colour(Role::Insurer),
    );

    // Arrows first, boxes on top.
    let mut lane = 0.0;
    for (from, action, to) in &edges {
        let (fx, fy) = position[from.as_str()];
        let (tx, ty) = position[to.as_str()];
        let role = action.role();
        let stroke = colour(role);
        let marker = format!("arrow-{}", role.as_str());
        let label = escape(action.as_str());
        if col_of(*to) > col_of(*from) + 1 {
            // Skips a column: an arc above the boxes, in a lane of its own.
            lane += 1.0;
            let (x1, y1) = (fx + BOX_W * 0.65, fy);
            // Arcs into one box land side by side, the outermost (first) on the left.
            let (x2, y2) = (tx + BOX_W * (0.15 + 0.6 * lane / (skipping + 1.0)), ty);
            let over = top - 14.0 - (skipping - lane) * LANE - LANE * 0.6;
            let (c1, c2) = (over - (y1 - over) / 3.0, over - (y2 - over) / 3.0);
            let _ = writeln!(
                out,
                r##"<g class="transition"><path d="M{x1},{y1} C{x1},{c1} {x2},{c2} {x2},{y2}" fill="none" stroke="{stroke}" stroke-width="1.6" marker-end="url(#{marker})"/><text x="{lx}" y="{ly}" fill="{stroke}" text-anchor="middle" paint-order="stroke" stroke="#ffffff" stroke-width="4">{label}</text></g>"##,
                lx = (x1 + x2) / 2.0,
                ly = over + 4.0,
            );
        } else if tx > fx {
            // Forward: from the right edge of one box to the left edge of the other.
            let (x1, y1, x2, y2) = (fx + BOX_W, fy + BOX_H / 2.0, tx, ty + BOX_H / 2.0);
            let (lx, ly) = (x1 + (x2 - x1) * 0.5, y1 + (y2 - y1) * 0.5 - 5.0);
            let _ = writeln!(
                out,
                r##"<g class="transition"><line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{stroke}" stroke-width="1.6" marker-end="url(#{marker})"/><text x="{lx}" y="{ly}" fill="{stroke}" text-anchor="middle" paint-order="stroke" stroke="#ffffff" stroke-width="4">{label}</text></g>"##
            );
        } else {
            // Back to an earlier column: an arc below everything.
            let (x1, y1) = (fx + BOX_W / 2.0, fy + BOX_H);
            let (x2, y2) = (tx + BOX_W / 2.0, ty + BOX_H);
            let bottom = height - 20.0;
            let _ = writeln!(
                out,
                r##"<g class="transition"><path d="M{x1},{y1} C{x1},{bottom} {x2},{bottom} {x2},{y2}" fill="none" stroke="{stroke}" stroke-width="1.6" marker-end="url(#{marker})"/><text x="{lx}" y="{ly}" fill="{stroke}" text-anchor="middle" paint-order="stroke" stroke="#ffffff" stroke-width="4">{label}</text></g>"##,
                lx = (x1 + x2) / 2.0,
                ly = bottom - 26.0,
            );
        }
    }
    for status in Status::ALL {
        let (x, y) = position[status.as_str()];
        let fill = if status == Status::Draft { "#eef4fb" } else { "#f7f7f7" };
        let _ = write!(
            out,
            r##"<g class="status" id="status-{name}"><rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="{fill}" stroke="#333333" stroke-width="1.4"/>"##,
            name = status.as_str(),
        );
        if status.is_final() {
            let _ = write!(
                out,
                r##"<rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="none" stroke="#333333" stroke-width="1"/>"##,
                x + 4.0,
                y + 4.0,
                BOX_W - 8.0,
                BOX_H - 8.0
            );
        }
        let _ = writeln!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle" font-weight="bold">{}</text></g>"#,
            x + BOX_W / 2.0,
            y + BOX_H / 2.0 + 5.0,
            status.as_str()
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_and_every_transition_is_drawn() {
        let svg = svg();
        for status in Status::ALL {
            assert!(svg.contains(&format!(r#"id="status-{}""#, status.as_str())), "{}", status.as_str());
        }
        assert_eq!(svg.matches(r#"class="transition""#).count(), transitions().len());
        for action in Action::ALL {
            assert!(svg.contains(&format!(">{}</text>", action.as_str())), "{}", action.as_str());
        }
        // Final statuses have the double border.
        assert_eq!(svg.matches(r#"rx="6""#).count(), Status::ALL.iter().filter(|s| s.is_final()).count());
    }

    #[test]
    fn columns_follow_the_longest_forward_path() {
        let column = columns(&transitions());
        let at = |s: Status| column[&Status::ALL.iter().position(|x| *x == s).unwrap()];
        assert_eq!((at(Status::Draft), at(Status::Submitted), at(Status::UnderReview)), (0, 1, 2));
        // withdrawn: draft, submitted, under_review, countered, then withdraw.
        assert_eq!((at(Status::Accepted), at(Status::Countered), at(Status::Withdrawn)), (3, 3, 4));
    }
}
