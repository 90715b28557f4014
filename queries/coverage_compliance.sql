-- One row per unit × coverage_standard in scope ($district, $street nullable): met, nearest_m, matrix and street-score windows.
with
units as (
    select
        'district' as level,
        d.code as unit_code,
        d.name as unit_name,
        d.code as district_code,
        d.name as district_name,
        cast(null as varchar) as street_code,
        cast(null as varchar) as street_name,
        cast(null as double) as lon,
        cast(null as double) as lat
    from district as d
    where ($district is null or d.code = $district) and $street is null
    union all
    select
        'street' as level,
        s.code as unit_code,
        s.name as unit_name,
        s.district_code,
        d.name as district_name,
        s.code as street_code,
        s.name as street_name,
        s.lon,
        s.lat
    from street as s
    inner join district as d on s.district_code = d.code
    where ($district is null or s.district_code = $district)
        and ($street is null or s.code = $street)
    union all
    select
        'community' as level,
        c.code as unit_code,
        c.name as unit_name,
        c.district_code,
        d.name as district_name,
        c.street_code,
        s.name as street_name,
        c.lon,
        c.lat
    from community as c
    inner join street as s on c.street_code = s.code
    inner join district as d on c.district_code = d.code
    where ($district is null or c.district_code = $district)
        and ($street is null or c.street_code = $street)
),

-- met and nearest_m of every check come from standard_checks() (schema.sql), shared with the map.
judged as (
    select
        u.*,
        s.id as standard_id,
        s.sort_order,
        s.kind,
        s.category,
        s.role,
        s.categories,
        s.max_m,
        s.label_zh,
        s.label_en,
        k.nearest_m,
        u.lon is not null and u.lat is not null as has_location,
        k.met,
        case
            when $street is not null then u.unit_code
            when $district is not null then coalesce(u.street_code, u.unit_code)
            else u.district_code
        end as row_code,
        case
            when $street is not null then u.unit_name
            when $district is not null then coalesce(u.street_name, u.unit_name)
            else u.district_name
        end as row_name
    from units as u
    inner join standard_checks() as k on u.level = k.level and u.unit_code = k.unit_code
    inner join coverage_standard as s on k.standard_id = s.id
),

-- Units and units met per matrix cell (row × standard), per street × standard and per standard: grouped and
-- joined back (window functions over these few thousand rows cost ten times more).
row_counts as (
    select
        standard_id,
        row_code,
        count(*) as row_units,
        sum(cast(met as int)) as row_met
    from judged
    group by standard_id, row_code
),

street_counts as (
    select
        standard_id,
        street_code,
        count(*) as street_units,
        sum(cast(met as int)) as street_met
    from judged
    group by standard_id, street_code
),

standard_counts as (
    select
        standard_id,
        count(*) as standard_units,
        sum(cast(met as int)) as standard_met
    from judged
    group by standard_id
),

counted as (
    select
        j.*,
        r.row_units,
        r.row_met,
        t.street_units,
        t.street_met,
        s.standard_units,
        s.standard_met
    from judged as j
    inner join row_counts as r on j.standard_id = r.standard_id and j.row_code = r.row_code
    inner join street_counts as t
        on j.standard_id = t.standard_id and j.street_code is not distinct from t.street_code
    inner join standard_counts as s on j.standard_id = s.standard_id
),

-- Street gap score: 1 per street standard missed + the share of its communities missing each community standard.
gap_scores as (
    select
        street_code,
        coalesce(sum(case when not met then 1.0 / street_units end), 0) as street_gap_score
    from counted
    where street_code is not null
    group by street_code
),

final as (
    select
        c.standard_id,
        c.sort_order,
        c.level,
        c.kind,
        c.label_zh,
        c.label_en,
        c.role,
        c.categories,
        c.max_m,
        c.district_code,
        c.district_name,
        c.street_code,
        c.street_name,
        c.unit_code,
        c.unit_name,
        c.row_code,
        c.row_name,
        c.has_location,
        c.met,
        c.nearest_m,
        c.row_units,
        c.row_met,
        c.street_units,
        c.street_met,
        c.standard_units,
        c.standard_met,
        g.street_gap_score
    from counted as c
    left join gap_scores as g on c.street_code = g.street_code
)

select * from final
order by sort_order, unit_code
