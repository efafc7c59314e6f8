"""The NZa prestatie catalogue per contract year with the generated Python client: public,
8 prestaties from 2023 (begeleiding_eindigend_voor_16_weken removed), 9 under the 2022
experiment, and a year without a catalogue refused.

Env (set by scripts/clients.sh): API_URL.
"""

import os

from zorginkoop_client import Client
from zorginkoop_client.api.prestaties import get_prestatie_catalogue
from zorginkoop_client.models import Prestatie, Problem, YearCatalogue

REMOVED = Prestatie.BEGELEIDING_EINDIGEND_VOOR_16_WEKEN


def main() -> None:
    base_url = os.environ.get("API_URL")
    if not base_url:
        raise SystemExit("API_URL is not set; run scenarios through scripts/clients.sh")
    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)

    response = get_prestatie_catalogue.sync_detailed(client=anonymous, year=2026)
    assert response.status_code == 200, response
    current = response.parsed
    assert isinstance(current, YearCatalogue), current
    assert current.year == 2026 and current.valid_from == 2023, current
    codes = [entry.prestatie for entry in current.prestaties]
    assert len(codes) == 8 and REMOVED not in codes, codes
    assert [removed.prestatie for removed in current.removed] == [REMOVED], current.removed
    assert response.headers.get("etag"), response.headers

    experiment = get_prestatie_catalogue.sync(client=anonymous, year=2022)
    assert isinstance(experiment, YearCatalogue), experiment
    assert experiment.regulation == "BR/REG-22100", experiment.regulation
    assert len(experiment.prestaties) == 9, experiment.prestaties

    before = get_prestatie_catalogue.sync(client=anonymous, year=2016)
    assert isinstance(before, Problem) and before.status == 422, before

    print("python prestaties: ok")


if __name__ == "__main__":
    main()
