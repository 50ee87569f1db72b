//! Conformance of the generated types with the spec's own examples, for every action in
//! `specs/`: the request example set through the typed API encodes to the same parameters
//! (repeats aside), and the response example decodes with the documented fields holding the
//! example's values. Generated from the specs, so a new action is covered without edits here.

mod udb {
    dezai_macros::conformance_tests!("../../specs/udb.json", dezai_sdk::udb);
}
mod umem {
    dezai_macros::conformance_tests!("../../specs/umem.json", dezai_sdk::umem);
}
mod umongodb {
    dezai_macros::conformance_tests!("../../specs/umongodb.json", dezai_sdk::umongodb);
}
mod upgsql {
    dezai_macros::conformance_tests!("../../specs/upgsql.json", dezai_sdk::upgsql);
}
