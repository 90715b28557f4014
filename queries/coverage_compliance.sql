-- One row per unit × coverage_standard in scope ($district, $street nullable): met, nearest_m, matrix and street-score windows.
with
standards as (
    select
        id as standard_id,
        sort_order,
        level,
        kind,
        category,
        role,
        categories,
        max_m,
        label_zh,
        label_en
    from coverage_standard
),

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

unit_standards as (
    select
        u.*,
        s.* exclude (level)
    from units as u
    inner join standards as s on u.level = s.level
),

-- Each service point and in-post worker counts for the district, street and community it sits in.
point_units as (
    select distinct
        'district' as level,
        district_code as unit_code,
        category
    from point_tally
    union all
    select distinct
        'street' as level,
        street_code as unit_code,
        category
    from point_tally
    where street_code is not null
    union all
    select distinct
        'community' as level,
        community_code as unit_code,
        category
    from point_tally
    where community_code is not null
),

worker_units as (
    select distinct
        'district' as level,
        district_code as unit_code,
        role
    from worker
    where status = '在岗'
    union all
    select distinct
        'street' as level,
        street_code as unit_code,
        role
    from worker
    where status = '在岗' and street_code is not null
    union all
    select distinct
        'community' as level,
        community_code as unit_code,
        role
    from worker
    where status = '在岗' and community_code is not null
),

category_met as (
    select
        us.standard_id,
        us.unit_code
    from unit_standards as us
    inner join point_units as pu
        on us.kind = 'category' and us.level = pu.level and us.unit_code = pu.unit_code
            and us.category = pu.category
),

worker_met as (
    select
        us.standard_id,
        us.unit_code
    from unit_standards as us
    inner join worker_units as wu
        on us.kind = 'worker' and us.level = wu.level and us.unit_code = wu.unit_code and us.role = wu.role
),

-- Distance standards: the nearest point of the standard's categories, from the per-unit, per-category
-- distances derived when the version was published (community_nearest); met within max_m.
distance_met as (
    select
        us.standard_id,
        us.unit_code,
        min(cn.nearest_m) as nearest_m
    from unit_standards as us
    inner join community_nearest as cn
        on us.kind = 'distance' and us.unit_code = cn.community_code and list_contains(us.categories, cn.category)
    where cn.nearest_m <= us.max_m
    group by us.standard_id, us.unit_code
),

judged as (
    select
        us.*,
        dm.nearest_m,
        us.lon is not null and us.lat is not null as has_location,
        case us.kind
            when 'category' then cm.unit_code is not null
            when 'worker' then wm.unit_code is not null
            else dm.unit_code is not null
        end as met,
        case
            when $street is not null then us.unit_code
            when $district is not null then coalesce(us.street_code, us.unit_code)
            else us.district_code
        end as row_code,
        case
            when $street is not null then us.unit_name
            when $district is not null then coalesce(us.street_name, us.unit_name)
            else us.district_name
        end as row_name
    from unit_standards as us
    left join category_met as cm on us.standard_id = cm.standard_id and us.unit_code = cm.unit_code
    left join worker_met as wm on us.standard_id = wm.standard_id and us.unit_code = wm.unit_code
    left join distance_met as dm on us.standard_id = dm.standard_id and us.unit_code = dm.unit_code
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
