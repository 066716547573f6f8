"""Map projection for the theatre: an azimuthal equidistant projection about the theatre's centre.

Over western Syria (about 600 km across) distances measured from the centre are exact and other
distances are off by well under one percent, which is far below the size of a cell. Everything is
vectorised: pass scalars or numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_KM = 6371.0


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km (the formula used for the distances in docs/history/facts.md)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


@dataclass(frozen=True)
class Projection:
    """Azimuthal equidistant projection centred on (lat0, lon0); x points east, y north, in km."""

    lat0: float
    lon0: float

    def forward(self, lat, lon):
        """Project latitude/longitude (degrees) to x, y (km)."""
        phi, lmb = np.radians(lat), np.radians(lon)
        phi0, lmb0 = np.radians(self.lat0), np.radians(self.lon0)
        dl = lmb - lmb0
        cos_c = np.sin(phi0) * np.sin(phi) + np.cos(phi0) * np.cos(phi) * np.cos(dl)
        c = np.arccos(np.clip(cos_c, -1.0, 1.0))
        # c / sin(c) tends to 1 at the centre; guard the 0/0 there.
        k = np.where(c < 1e-12, 1.0, c / np.where(c < 1e-12, 1.0, np.sin(c)))
        x = EARTH_RADIUS_KM * k * np.cos(phi) * np.sin(dl)
        y = EARTH_RADIUS_KM * k * (np.cos(phi0) * np.sin(phi) - np.sin(phi0) * np.cos(phi) * np.cos(dl))
        return x, y

    def inverse(self, x, y):
        """Unproject x, y (km) to latitude, longitude (degrees)."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        phi0, lmb0 = np.radians(self.lat0), np.radians(self.lon0)
        rho = np.hypot(x, y)
        c = rho / EARTH_RADIUS_KM
        safe_rho = np.where(rho < 1e-12, 1.0, rho)
        phi = np.arcsin(np.cos(c) * np.sin(phi0) + y * np.sin(c) * np.cos(phi0) / safe_rho)
        lmb = lmb0 + np.arctan2(x * np.sin(c), rho * np.cos(phi0) * np.cos(c) - y * np.sin(phi0) * np.sin(c))
        phi = np.where(rho < 1e-12, phi0, phi)
        lmb = np.where(rho < 1e-12, lmb0, lmb)
        return np.degrees(phi), np.degrees(lmb)
