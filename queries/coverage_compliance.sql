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

-- Units and units met per matrix cell (row × standard), per street × standard and per standard.
counted as (
    select
        *,
        count(*) over (partition by standard_id, row_code) as row_units,
        sum(cast(met as int)) over (partition by standard_id, row_code) as row_met,
        count(*) over (partition by standard_id, street_code) as street_units,
        sum(cast(met as int)) over (partition by standard_id, street_code) as street_met,
        count(*) over (partition by standard_id) as standard_units,
        sum(cast(met as int)) over (partition by standard_id) as standard_met
    from judged
),

-- Street gap score: 1 per street standard missed + the share of its communities missing each community standard.
final as (
    select
        standard_id,
        sort_order,
        level,
        kind,
        label_zh,
        label_en,
        role,
        categories,
        max_m,
        district_code,
        district_name,
        street_code,
        street_name,
        unit_code,
        unit_name,
        row_code,
        row_name,
        has_location,
        met,
        nearest_m,
        row_units,
        row_met,
        street_units,
        street_met,
        standard_units,
        standard_met,
        case when street_code is not null then
            coalesce(sum(case when not met then 1.0 / street_units end) over (partition by street_code), 0)
        end as street_gap_score
    from counted
)

select * from final
order by sort_order, unit_code
