//! Rule tests: LOC, PRE, PS, MT, RET, POL.

#[allow(unused_imports)]
use failback_tests::*;
