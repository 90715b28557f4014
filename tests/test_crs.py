"""Coordinate conversion WGS-84 ↔ GCJ-02 ↔ BD-09: published reference pairs and property-based round trips."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caremap.common import crs

# Reference outputs published with the widely used coordtransform library (wandergis/coordtransform,
# test/app.js), for the input (116.404, 39.915) — Tiananmen, Beijing. Our formulas must reproduce them.
REF_IN = (116.404, 39.915)
REF_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
REF_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
REF_BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)
REF_GCJ02_TO_WGS84_ONE_STEP = (116.39775550083061, 39.91359571849836)  # their one-step approximation

# Mainland China, where GCJ-02 applies (kept inside the out_of_china box with a margin).
china_lon = st.floats(min_value=73.7, max_value=134.7, allow_nan=False)
china_lat = st.floats(min_value=18.2, max_value=53.5, allow_nan=False)


def test_published_reference_pairs():
    assert crs.wgs84_to_gcj02(*REF_IN) == pytest.approx(REF_WGS84_TO_GCJ02, abs=1e-12)
    assert crs.gcj02_to_bd09(*REF_IN) == pytest.approx(REF_GCJ02_TO_BD09, abs=1e-12)
    assert crs.bd09_to_gcj02(*REF_IN) == pytest.approx(REF_BD09_TO_GCJ02, abs=1e-12)
    # our inverse is iterated to the exact point; the one-step approximation is within a few metres of it
    exact = crs.gcj02_to_wgs84(*REF_IN)
    assert crs.haversine_m(*exact, *REF_GCJ02_TO_WGS84_ONE_STEP) < 5
    assert crs.wgs84_to_gcj02(*exact) == pytest.approx(REF_IN, abs=1e-9)


def test_the_shenzhen_offset_is_the_documented_few_hundred_metres():
    lon, lat = 114.0579, 22.5431  # 深圳市民中心
    glon, glat = crs.wgs84_to_gcj02(lon, lat)
    assert 0.0045 < glon - lon < 0.0055 and -0.0032 < glat - lat < -0.0024  # about +0.005°, −0.003° (docs/facts.md)
    assert 300 < crs.haversine_m(lon, lat, glon, glat) < 700


@settings(max_examples=300, deadline=None)
@given(china_lon, china_lat)
def test_gcj02_round_trip_within_1_m_inside_china(lon, lat):
    back = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    assert crs.haversine_m(lon, lat, *back) < 1.0


@settings(max_examples=300, deadline=None)
@given(china_lon, china_lat)
def test_bd09_round_trip_within_1_m(lon, lat):
    assert crs.haversine_m(lon, lat, *crs.bd09_to_wgs84(*crs.wgs84_to_bd09(lon, lat))) < 1.0
    assert crs.haversine_m(lon, lat, *crs.bd09_to_gcj02(*crs.gcj02_to_bd09(lon, lat))) < 1.0


outside = st.one_of(
    st.tuples(st.floats(min_value=-180, max_value=71.9), st.floats(min_value=-85, max_value=85)),  # west
    st.tuples(st.floats(min_value=137.9, max_value=180), st.floats(min_value=-85, max_value=85)),  # east
    st.tuples(st.floats(min_value=-180, max_value=180), st.floats(min_value=-85, max_value=0.8)),  # south
    st.tuples(st.floats(min_value=-180, max_value=180), st.floats(min_value=55.9, max_value=85)),  # north
)


@settings(max_examples=300, deadline=None)
@given(outside)
def test_outside_china_gcj02_equals_wgs84(point):
    lon, lat = point
    assert crs.out_of_china(lon, lat)
    assert crs.wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert crs.gcj02_to_wgs84(lon, lat) == (lon, lat)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(china_lon, china_lat), min_size=1, max_size=20))
def test_vectorised_conversion_equals_the_scalar_one(points):
    lon, lat = np.array(points).T
    vlon, vlat = crs.wgs84_to_gcj02_arrays(lon, lat)
    for i, (x, y) in enumerate(points):
        assert (vlon[i], vlat[i]) == pytest.approx(crs.wgs84_to_gcj02(x, y), abs=1e-12)


def test_vectorised_conversion_leaves_points_outside_china():
    lon, lat = crs.wgs84_to_gcj02_arrays([2.35, 114.06], [48.85, 22.54])
    assert (lon[0], lat[0]) == (2.35, 48.85) and lon[1] != 114.06


@pytest.mark.parametrize("source,target", [("WGS84", "GCJ02"), ("GCJ02", "BD09"), ("BD09", "WGS84"),
                                           ("百度", "高德"), ("gps", "bd-09")])
def test_convert_any_pair_round_trips(source, target):
    lon, lat = 113.9305, 22.5333
    there = crs.convert(lon, lat, source, target)
    assert crs.haversine_m(lon, lat, *crs.convert(*there, target, source)) < 1.0


def test_unknown_system_is_refused_in_chinese():
    with pytest.raises(ValueError, match="未知坐标系"):
        crs.normalise_system("UTM50")


def test_convert_geometry_applies_to_every_position():
    poly = [[[114.0, 22.5], [114.1, 22.5], [114.1, 22.6], [114.0, 22.5]]]
    out = crs.convert_geometry(poly, crs.wgs84_to_gcj02)
    assert len(out[0]) == 4 and out[0][1] == list(crs.wgs84_to_gcj02(114.1, 22.5))


def test_haversine_one_degree_of_latitude():
    assert crs.haversine_m(114, 22, 114, 23) == pytest.approx(math.radians(1) * 6371008.8)
