-- Derived at publish time (build and import), before every other derivation: the location each street and
-- community unit is measured from. The bureau's imported geography (unit_geometry: a boundary's centroid or inner
-- point, or a given point) where there is one; else the reference (approximate) or demo location.
-- A row written without a reference location (a fixture, a table from an older build) takes the one it has.
update street set
    ref_lon = lon,
    ref_lat = lat,
    ref_note = point_note
where location_method is null;

update community set
    ref_lon = lon,
    ref_lat = lat,
    ref_note = location_note
where location_method is null;

update street set
    lon = ref_lon,
    lat = ref_lat,
    point_note = ref_note,
    location_method = 'approximate';

update street set
    lon = g.lon,
    lat = g.lat,
    point_note = case g.method when 'centroid' then '局方边界的质心' when 'inner_point' then '局方边界的内点'
        else '局方导入的位置' end,
    location_method = g.method
from unit_geometry as g
where g.level = 'street' and g.unit_code = street.code;

update community set
    lon = ref_lon,
    lat = ref_lat,
    location_note = ref_note,
    location_method = 'demo';

update community set
    lon = g.lon,
    lat = g.lat,
    location_note = case g.method when 'centroid' then '局方边界的质心' when 'inner_point' then '局方边界的内点'
        else '局方导入的位置' end,
    location_method = g.method
from unit_geometry as g
where g.level = 'community' and g.unit_code = community.code;
