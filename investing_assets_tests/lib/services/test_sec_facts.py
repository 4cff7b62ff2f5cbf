import datetime as dt

import polars as pl

from investing_assets.lib.fundamentals.companyfacts import read_company_facts
from investing_assets.lib.services.sec_facts import (
    load_companyfacts,
    store_company_facts,
    stored_company_facts,
)
from investing_assets.lib.storage import names
from investing_assets_tests.lib.fundamentals._sec_fixtures import lpa_facts


def _other_company(value: float) -> pl.DataFrame:
    lpa = read_company_facts(lpa_facts())
    return lpa.head(5).with_columns(cik=pl.lit(320193, dtype=pl.Int64), value=pl.lit(value))


def test_real_facts_round_trip_and_a_reload_replaces_one_company_whole(warehouse):
    lpa = read_company_facts(lpa_facts())
    loaded = load_companyfacts(warehouse, [lpa, _other_company(1.0)], companies_per_write=1)
    assert (loaded.companies, loaded.facts) == (2, 773)
    stored = stored_company_facts(warehouse, [1997711])
    order = ["taxonomy", "tag", "unit", "period_end", "accession"]
    assert stored.sort(order).equals(lpa.sort(order))

    # a re-load with fewer facts leaves exactly those, and the other company untouched
    store_company_facts(warehouse, [lpa.filter(tag="Revenue")])
    assert warehouse.count(names.SEC_FACTS, {"cik": [1997711]}) == 6
    assert stored_company_facts(warehouse, [320193]).get_column("value").to_list() == [1.0] * 5
    restated = stored_company_facts(warehouse, [1997711]).filter(period_end=dt.date(2024, 12, 31))
    assert restated.get_column("value").to_list() == [43862372.0]
