//! Speed of an integral tariff quote: the 8 prestaties of 2027, 12 providers, care shifts and surcharges
//! (target: under 50 µs). `cargo bench -p edge --bench quote`.

use criterion::{criterion_group, criterion_main, Criterion};
use domain::catalogue::catalogue;
use domain::prestatie::{Prestatie, Unit};
use domain::quote::{compute, quote, validate, QuoteRequest};
use serde_json::{json, Value};

/// A large VSV: 12 providers (hospitals, gynaecologists, midwives' practices, kraamzorg), each
/// prestatie with 4 to 6 cost components, and 6 care shifts.
fn request(method: &str) -> Value {
    let kinds = ["ziekenhuis", "msb-gynaecologie", "verloskundigenpraktijk", "kraamzorg"];
    let agb = |i: usize| format!("{:08}", 10_000_001 + i);
    let providers: Vec<Value> = (0..12)
        .map(|i| {
            json!({"agb": agb(i), "name": format!("Provider {i}"), "kind": kinds[i % 4],
                   "baseline_revenue": format!("{}.{:02}", 250_000 + i * 37_321, i * 7 % 100)})
        })
        .collect();
    // The quote's year decides its prestaties (the catalogue of 2027).
    let current: Vec<Prestatie> =
        catalogue().regulation(2027).expect("2027").prestaties.iter().map(|e| e.prestatie).collect();
    let prestaties: Vec<Value> = current
        .iter()
        .enumerate()
        .map(|(p, prestatie)| {
            let components: Vec<Value> = (0..4 + p % 3)
                .map(|c| {
                    let i = (p * 5 + c * 2) % 12;
                    json!({"provider": agb(i), "amount_per_unit": format!("{}.{:02}", 40 + (p * 97 + c * 31) % 900, (p * 13 + c * 7) % 100)})
                })
                .collect();
            json!({"prestatie": prestatie, "volume": if prestatie.unit() == Unit::Hour { "23500.5".to_owned() } else { format!("{}", 150 + p * 71) }, "components": components})
        })
        .collect();
    // Shifts between the first two components of six prestaties.
    let care_shifts: Vec<Value> = (0..6)
        .map(|p| {
            json!({"prestatie": current[p], "from": agb((p * 5) % 12), "to": agb((p * 5 + 2) % 12), "share": format!("{}.5", 5 + p)})
        })
        .collect();
    let distribution = if method == "fixed_shares" {
        let shares: Vec<Value> = (0..12)
            .map(|i| json!({"provider": agb(i), "percentage": if i == 0 { "8.37".to_owned() } else { "8.33".to_owned() }}))
            .collect();
        json!({"method": "fixed_shares", "shares": shares})
    } else {
        json!({"method": "cost_based"})
    };
    json!({
        "period": 2027, "providers": providers, "prestaties": prestaties, "care_shifts": care_shifts,
        "surcharges": {"organisation_costs": "3.50", "risk_reserve": "1.25", "innovation_fund": "0.75"},
        "distribution": distribution, "rounding": "bankers"
    })
}

fn bench(c: &mut Criterion) {
    for method in ["cost_based", "fixed_shares"] {
        let body = request(method).to_string();
        let parsed: QuoteRequest = edge::http::parse_json_str(&body).expect("a valid request");
        let result = quote(&parsed).expect("a computable quote");
        assert_eq!((result.prestaties.len(), result.providers.len()), (8, 12));
        c.bench_function(&format!("quote 8x12 {method} (validate + compute)"), |b| {
            b.iter(|| quote(std::hint::black_box(&parsed)).unwrap())
        });
        // The two halves on their own, to see where the time goes.
        c.bench_function(&format!("quote 8x12 {method} (validate only)"), |b| {
            b.iter(|| validate(std::hint::black_box(&parsed)).unwrap())
        });
        c.bench_function(&format!("quote 8x12 {method} (compute only)"), |b| {
            b.iter(|| compute(std::hint::black_box(&parsed)).unwrap())
        });
        c.bench_function(&format!("quote 8x12 {method} (parse + validate + compute + serialise)"), |b| {
            b.iter(|| {
                let request: QuoteRequest = edge::http::parse_json_str(std::hint::black_box(&body)).unwrap();
                serde_json::to_string(&quote(&request).unwrap()).unwrap()
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
